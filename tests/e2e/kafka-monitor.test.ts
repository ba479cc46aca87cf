import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import kafkajs from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useKafkaBroker } from '../helpers/kafka-broker.js';

/**
 * `pipeline run --source kafka --status-port` + `brewline monitor --json`: the per-partition lag the monitor
 * shows equals log-end offset (read here with an independent client, kafkajs' admin) minus the offsets the
 * pipeline's checkpoint says it processed — kafka-consumer-groups' LAG column, computed independently.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'brewline.js');
const kafka = useKafkaBroker();
let dir: string;
let pipeline: ChildProcess | undefined;

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('BREWLINE_') && !k.startsWith('KAFKA_') && k !== 'EVENTHUB_CONNECTION_STRING')
      out[k] = v;
  }
  return out;
}

beforeAll(() => {
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // emission is checked below
  }
  if (!existsSync(join(REPO, 'dist', 'src', 'cli.js'))) throw new Error('build produced no dist/src/cli.js');
  dir = mkdtempSync(join(tmpdir(), 'brewline-kafka-monitor-'));
}, 180_000);
afterAll(() => {
  pipeline?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

describe('monitor over a Kafka pipeline', () => {
  it('shows per-partition lag equal to log-end minus processed offsets', async () => {
    // Given 4,000 orders in a 6-partition topic
    const sim = spawnSync(
      process.execPath,
      [
        BIN,
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
      { cwd: dir, env: env(), encoding: 'utf8', timeout: 120_000 },
    );
    expect(sim.status, sim.stderr).toBe(0);
    // And a pipeline that ran one batch of at most 1,200 records and then waits an hour for its next trigger
    pipeline = spawn(
      process.execPath,
      [
        BIN,
        'pipeline',
        'run',
        '--source',
        'kafka',
        '--brokers',
        kafka.bootstrap,
        '--topic',
        'lagged',
        '--trigger',
        '1h',
        '--max-records-per-batch',
        '1200',
        '--status-port',
        '0',
        '--lakehouse',
        'lh.duckdb',
        '--checkpoint',
        'cp',
      ],
      { cwd: dir, env: env(), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    pipeline.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 60_000;
    while (!(existsSync(join(dir, 'cp', 'commits', '0')) && /status endpoint (http:\S+)/.test(stderr))) {
      if (Date.now() > deadline) throw new Error(`pipeline did not commit batch 0:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const url = /status endpoint (http:\S+)/.exec(stderr)![1]!;
    const offsetsText = readFileSync(join(dir, 'cp', 'offsets', '0'), 'utf8');
    const processed = JSON.parse(offsetsText.slice(offsetsText.indexOf('{'))).endOffset as Record<
      string,
      number
    >;

    // When an independent client reads the log-end offsets and the monitor reports
    const admin = new kafkajs.Kafka({
      brokers: [kafka.bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets('lagged');
    await admin.disconnect();
    const expected = ends
      .map((e) => ({
        partition: e.partition,
        latest: Number(e.high),
        committed: processed[String(e.partition)] ?? 0,
      }))
      .map((e) => ({ ...e, lag: e.latest - e.committed }))
      .sort((a, b) => a.partition - b.partition);
    const monitor = spawnSync(
      process.execPath,
      [BIN, 'monitor', '--url', url, '--json', '--duration', '2s'],
      {
        cwd: dir,
        env: env(),
        encoding: 'utf8',
        timeout: 60_000,
      },
    );
    expect(monitor.status, monitor.stderr).toBe(0);
    const summary = monitor.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            stream?: {
              partitions: {
                partition: number;
                latest: number;
                committed: number;
                lag: number;
                lagSeconds: number | null;
              }[];
              totalLag: number;
            };
          },
      )
      .filter((l) => l.stream)
      .pop()!;
    // Then they agree partition by partition, and every lagging partition has an age in seconds
    const shown = summary.stream!.partitions.map(({ partition, latest, committed, lag }) => ({
      partition,
      latest,
      committed,
      lag,
    }));
    expect(shown).toEqual(expected);
    expect(expected.reduce((n, e) => n + e.latest, 0)).toBe(4000);
    expect(summary.stream!.totalLag).toBe(expected.reduce((n, e) => n + e.lag, 0));
    expect(summary.stream!.totalLag).toBeGreaterThan(0);
    for (const p of summary.stream!.partitions) if (p.lag > 0) expect(p.lagSeconds).toBeGreaterThanOrEqual(0);
  }, 180_000);

  it("brewline demo --source kafka shows the topic's own log-end offsets and reads only its own orders", async () => {
    interface DemoLine {
      type: string;
      stream?: {
        inputRows: number;
        totalLag: number;
        partitions: { partition: number; latest: number; committed: number; lag: number }[];
      };
      load?: { acked: number };
    }
    const demo = (): DemoLine => {
      const run = spawnSync(
        process.execPath,
        [
          BIN,
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
        { cwd: dir, env: env(), encoding: 'utf8', timeout: 90_000 },
      );
      expect(run.status, run.stderr).toBe(0);
      const lines = run.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as DemoLine);
      return lines.find((l) => l.type === 'summary')!;
    };
    // Given a demo that already ran on the topic, when a second demo runs on it
    const first = demo();
    const second = demo();
    // Then each pipeline read exactly what its own load generator acknowledged (the second starts at the end)
    expect(first.stream!.inputRows).toBe(first.load!.acked);
    expect(second.stream!.inputRows).toBe(second.load!.acked);
    // And the offsets it shows are the topic's, read independently, with the pipeline caught up
    const admin = new kafkajs.Kafka({
      brokers: [kafka.bootstrap],
      logLevel: kafkajs.logLevel.NOTHING,
    }).admin();
    await admin.connect();
    const ends = await admin.fetchTopicOffsets('demo-orders');
    await admin.disconnect();
    const expected = ends
      .map((e) => ({ partition: e.partition, latest: Number(e.high), committed: Number(e.high), lag: 0 }))
      .sort((a, b) => a.partition - b.partition);
    expect(
      second.stream!.partitions.map(({ partition, latest, committed, lag }) => ({
        partition,
        latest,
        committed,
        lag,
      })),
    ).toEqual(expected);
    expect(expected.reduce((n, e) => n + e.latest, 0)).toBe(first.load!.acked + second.load!.acked);
  }, 180_000);
});
