import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, removeTempDir, runCli, spawnCli, tempDir, type CliProcess } from '../helpers/cli.js';
import { useKafkaBroker } from '../helpers/kafka-broker.js';
import {
  firstBatchCommitted,
  lastStream,
  oneBatchPipelineArgs,
  positions,
  type StreamLine,
} from '../helpers/monitor-lag.js';

/**
 * `pipeline run --source kafka --status-port` + `brewline monitor --json`: the per-partition lag the monitor
 * shows equals log-end offset (read here with an independent client, kafkajs' admin) minus the offsets the
 * pipeline's checkpoint says it processed — kafka-consumer-groups' LAG column, computed independently.
 */
const kafka = useKafkaBroker();
let dir: string;
let pipeline: CliProcess | undefined;

beforeAll(() => {
  dir = tempDir('kafka-monitor');
});
afterAll(async () => {
  await pipeline?.stop();
  removeTempDir(dir);
});

/** The log-end offset of each partition of `topic`, read with kafkajs' admin (not brewline's client). */
async function logEndOffsets(topic: string): Promise<{ partition: number; high: number }[]> {
  const admin = new kafkajs.Kafka({
    brokers: [kafka.bootstrap],
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  return ends.map((e) => ({ partition: e.partition, high: Number(e.high) }));
}

describe('monitor over a Kafka pipeline', () => {
  it('shows per-partition lag equal to log-end minus processed offsets', async () => {
    // Given 4,000 orders in a 6-partition topic
    const sim = runCli(
      [
        'simulate',
        '--sink',
        'kafka',
        '--brokers',
        kafka.bootstrap,
        '--topic',
        'lagged',
        '--partitions',
        '6',
        '--orders',
        '4000',
        '--speed',
        'max',
        '--start',
        '2026-01-01T07:00:00+05:45',
      ],
      { cwd: dir },
    );
    expect(sim.status, sim.stderr).toBe(0);
    // And a pipeline that ran one batch of at most 1,200 records and then waits an hour for its next trigger
    pipeline = spawnCli(
      oneBatchPipelineArgs(['--source', 'kafka', '--brokers', kafka.bootstrap, '--topic', 'lagged']),
      { cwd: dir },
    );
    const { url, processed } = await firstBatchCommitted(pipeline, dir);

    // When an independent client reads the log-end offsets and the monitor reports
    const expected = (await logEndOffsets('lagged'))
      .map((e) => ({
        partition: e.partition,
        latest: e.high,
        committed: processed[String(e.partition)] ?? 0,
      }))
      .map((e) => ({ ...e, lag: e.latest - e.committed }))
      .sort((a, b) => a.partition - b.partition);
    const monitor = runCli(['monitor', '--url', url, '--json', '--duration', '2s'], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(monitor.status, monitor.stderr).toBe(0);
    const stream = lastStream(monitor.stdout);
    // Then they agree partition by partition, and every lagging partition has an age in seconds
    const shown = positions(stream.partitions);
    expect(shown).toEqual(expected);
    expect(expected.reduce((n, e) => n + e.latest, 0)).toBe(4000);
    expect(stream.total_lag).toBe(expected.reduce((n, e) => n + e.lag, 0));
    expect(stream.total_lag).toBeGreaterThan(0);
    for (const p of stream.partitions) if (p.lag > 0) expect(p.lag_seconds).toBeGreaterThanOrEqual(0);
    // And a monitor that reads the log-end offsets from the broker itself (--source kafka) shows the same
    const checked = runCli(
      [
        'monitor',
        '--url',
        url,
        '--source',
        'kafka',
        '--brokers',
        kafka.bootstrap,
        '--topic',
        'lagged',
        '--json',
        '--duration',
        '2s',
      ],
      { cwd: dir, timeoutMs: 60_000 },
    );
    expect(checked.status, checked.stderr).toBe(0);
    expect(positions(lastStream(checked.stdout).partitions)).toEqual(expected);
  }, 180_000);

  it("brewline demo --source kafka shows the topic's own log-end offsets and reads only its own orders", async () => {
    interface DemoLine extends StreamLine {
      stream?: StreamLine['stream'] & { input_rows: number };
      load?: { acked: number };
    }
    const demo = (): DemoLine => {
      const run = runCli(
        [
          'demo',
          '--source',
          'kafka',
          '--brokers',
          kafka.bootstrap,
          '--topic',
          'demo-orders',
          '--partitions',
          '3',
          '--duration',
          '5s',
          '--json',
          '--lakehouse',
          'demo.duckdb',
        ],
        { cwd: dir, timeoutMs: 90_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      return jsonLines<DemoLine>(run.stdout).find((l) => l.type === 'summary')!;
    };
    // Given a demo that already ran on the topic, when a second demo runs on it
    const first = demo();
    const second = demo();
    // Then each pipeline read exactly what its own load generator acknowledged (the second starts at the end)
    expect(first.stream!.input_rows).toBe(first.load!.acked);
    expect(second.stream!.input_rows).toBe(second.load!.acked);
    // And the offsets it shows are the topic's, read independently, with the pipeline caught up
    const expected = (await logEndOffsets('demo-orders'))
      .map((e) => ({ partition: e.partition, latest: e.high, committed: e.high, lag: 0 }))
      .sort((a, b) => a.partition - b.partition);
    expect(positions(second.stream!.partitions)).toEqual(expected);
    expect(expected.reduce((n, e) => n + e.latest, 0)).toBe(first.load!.acked + second.load!.acked);
  }, 180_000);
});
