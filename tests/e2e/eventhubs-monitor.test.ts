import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHubsTestServer } from '../fakes/eventhubs-server.js';
import { removeTempDir, spawnCli, tempDir, type CliExit, type CliProcess } from '../helpers/cli.js';
import { firstBatchCommitted, lastStream, oneBatchPipelineArgs, positions } from '../helpers/monitor-lag.js';

/**
 * `pipeline run --source eventhubs --status-port` + `brewline monitor --json`: the per-partition lag the
 * monitor shows equals the service's own counters (last enqueued sequence number + 1, from the test server
 * itself, not through the SDK) minus the sequence numbers the pipeline's checkpoint says it processed.
 */
let dir: string;
let server: EventHubsTestServer;
let pipeline: CliProcess | undefined;

/** The CLI, pointed at the test hub; never run blocking: the AMQP server the CLI talks to lives here. */
const cli = (args: readonly string[]): CliProcess =>
  spawnCli(args, { cwd: dir, env: { EVENTHUB_CONNECTION_STRING: server.connectionString('orders') } });
const run = (args: readonly string[]): Promise<CliExit> => cli(args).exited;

beforeAll(async () => {
  dir = tempDir('eh-monitor');
  server = await EventHubsTestServer.start({ hubs: { orders: 4 } });
}, 180_000);
afterAll(async () => {
  await pipeline?.stop();
  await server?.stop();
  removeTempDir(dir);
});

describe('monitor over an Event Hubs pipeline', () => {
  it('shows per-partition lag equal to the service counters minus processed sequence numbers', async () => {
    // Given 4,000 orders in a 4-partition hub
    const sim = await run(['simulate', '--sink', 'eventhubs', '--orders', '4000', '--speed', 'max']);
    expect(sim.code, sim.stderr).toBe(0);
    // And a pipeline that ran one batch of at most 1,200 records and then waits an hour for its next trigger
    pipeline = cli(oneBatchPipelineArgs(['--source', 'eventhubs']));
    const { url, processed } = await firstBatchCommitted(pipeline, dir);

    // When the service's own counters are read and the monitor reports
    const expected = [0, 1, 2, 3].map((partition) => {
      const latest = server.partitionProperties('orders', partition).last_enqueued_sequence_number + 1;
      const committed = processed[String(partition)] ?? 0;
      return { partition, latest, committed, lag: latest - committed };
    });
    const monitor = await run(['monitor', '--url', url, '--json', '--duration', '2s']);
    expect(monitor.code, monitor.stderr).toBe(0);
    const stream = lastStream(monitor.stdout);
    // Then they agree partition by partition, and every lagging partition has an age in seconds
    const shown = positions(stream.partitions);
    expect(shown).toEqual(expected);
    expect(expected.reduce((n, e) => n + e.latest, 0)).toBe(4000);
    expect(stream.total_lag).toBeGreaterThan(0);
    for (const p of stream.partitions) if (p.lag > 0) expect(p.lag_seconds).toBeGreaterThanOrEqual(0);
    // And `monitor --source eventhubs`, which reads the partition counters from the service itself, agrees
    const checked = await run([
      'monitor',
      '--url',
      url,
      '--source',
      'eventhubs',
      '--json',
      '--duration',
      '2s',
    ]);
    expect(checked.code, checked.stderr).toBe(0);
    expect(positions(lastStream(checked.stdout).partitions)).toEqual(expected);
  }, 180_000);
});
