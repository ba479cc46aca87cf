import { afterEach, describe, expect, it } from 'vitest';
import { EventHubsLagProbe, EventHubsSink, EventHubsSource } from '../../../src/backends/eventhubs/index.js';
import {
  eventHubsSinkConfigSchema,
  eventHubsSourceConfigSchema,
} from '../../../src/config/eventhubs-config.js';
import { EventHubsTestServer } from '../../fakes/eventhubs-server.js';
import type { SourceRecord } from '../../../src/backends/types.js';

const textOf = (r: SourceRecord): string => Buffer.from(r.value).toString('utf8');

describe('EventHubsSource and lag probe against the AMQP test server', () => {
  let server: EventHubsTestServer | undefined;
  const closers: { close(): Promise<void> }[] = [];

  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await server?.stop();
    server = undefined;
  });

  async function setup(perPartition: number): Promise<{ source: EventHubsSource; env: NodeJS.ProcessEnv }> {
    server = await EventHubsTestServer.start({ hubs: { orders: 3 } });
    const env = { EVENTHUB_CONNECTION_STRING: server.connectionString('orders') };
    const sink = new EventHubsSink(eventHubsSinkConfigSchema.parse({ kind: 'eventhubs' }), { env });
    closers.push(sink);
    await sink.open();
    for (let p = 0; p < 3; p++) {
      await sink.send(
        Array.from({ length: perPartition }, (_, i) => ({
          key: `b${p}`,
          value: `p${p}-e${i}`,
          partition: p,
        })),
      );
    }
    const source = new EventHubsSource(
      eventHubsSourceConfigSchema.parse({ kind: 'eventhubs', receiveBatchSize: 50 }),
      { env, readTimeoutMs: 5_000, highWater: 500 },
    );
    closers.push(source);
    await source.open();
    return { source, env };
  }

  it('reports positions that match the service counters', async () => {
    const { source } = await setup(120);
    const positions = await source.positions();
    expect(positions.map((p) => [p.partition, p.earliest, p.latest])).toEqual([
      [0, 0, 120],
      [1, 0, 120],
      [2, 0, 120],
    ]);
    for (const p of positions) {
      const own = server!.partitionProperties('orders', p.partition);
      expect(p.latest).toBe(own.last_enqueued_sequence_number + 1);
      expect(p.latestTimestampMs).toBe(own.last_enqueued_time_utc.getTime());
    }
    expect(source.id).toMatch(/^eventhubs:127\.0\.0\.1:\d+\/orders$/);
    expect(source.id).not.toContain('SAS_KEY_VALUE');
  });

  it('reads exactly the planned ranges, consecutively and again after a re-run', async () => {
    const { source } = await setup(300);
    // When the engine plans two consecutive batches over partitions 0 and 2
    const first = await source.read([
      { partition: 0, from: 0, to: 100 },
      { partition: 2, from: 0, to: 40 },
    ]);
    const second = await source.read([
      { partition: 0, from: 100, to: 300 },
      { partition: 2, from: 40, to: 41 },
    ]);
    // Then each batch holds exactly those sequence numbers, in order, with bronze's metadata
    expect(first).toHaveLength(140);
    expect(first.filter((r) => r.partition === 0).map((r) => r.offset)).toEqual([...Array(100).keys()]);
    expect(second.filter((r) => r.partition === 0).map((r) => r.offset)).toEqual(
      Array.from({ length: 200 }, (_, i) => i + 100),
    );
    expect(second.filter((r) => r.partition === 2).map(textOf)).toEqual(['p2-e40']);
    expect(textOf(first[0]!)).toBe('p0-e0');
    expect(first[0]).toMatchObject({
      topic: 'orders',
      partition: 0,
      offset: 0,
      key: 'b0',
      timestampType: 'EnqueuedTime',
    });
    expect(first[0]!.timestampMs).toBe(server!.events('orders', 0)[0]!.enqueuedTimeMs);
    // And re-running the first batch (a restart before its commit) reads the very same records
    const rerun = await source.read([
      { partition: 0, from: 0, to: 100 },
      { partition: 2, from: 0, to: 40 },
    ]);
    expect(rerun).toEqual(first);
    // And the source, as the pipeline's lag probe, can time an unread event while its reader holds the partition
    expect(await source.timestampAt(0, 299)).toBe(server!.events('orders', 0)[299]!.enqueuedTimeMs);
    // And two look-ups of one partition at once (a status endpoint asked twice) both answer
    const offsets = [290, 291, 292, 293, 294, 295];
    const times = await Promise.all(offsets.map((o) => source.timestampAt(0, o)));
    expect(times).toEqual(offsets.map((i) => server!.events('orders', 0)[i]!.enqueuedTimeMs));
  });

  it('reads a range far larger than its read-ahead buffer', async () => {
    const { source } = await setup(3_000);
    const records = await source.read([{ partition: 1, from: 0, to: 3_000 }]);
    expect(records.map((r) => r.offset)).toEqual([...Array(3_000).keys()]);
  });

  it('keeps reading exactly after the server drops its connections', async () => {
    const { source } = await setup(200);
    const a = await source.read([{ partition: 1, from: 0, to: 50 }]);
    server!.dropConnections();
    const b = await source.read([{ partition: 1, from: 50, to: 200 }]);
    expect([...a, ...b].map(textOf)).toEqual(Array.from({ length: 200 }, (_, i) => `p1-e${i}`));
  });

  it('sees partitions added to the hub', async () => {
    const { source } = await setup(5);
    server!.addPartitions('orders', 1);
    const positions = await source.positions();
    expect(positions.map((p) => p.partition)).toEqual([0, 1, 2, 3]);
    expect(positions[3]).toMatchObject({ earliest: 0, latest: 0 });
    expect(positions[3]!.latestTimestampMs).toBeUndefined();
  });

  it('gives lag in events and the enqueued time of the first unprocessed event', async () => {
    const { env } = await setup(80);
    const probe = new EventHubsLagProbe(eventHubsSourceConfigSchema.parse({ kind: 'eventhubs' }), { env });
    closers.push(probe);
    const processed = 30;
    const [p0] = await probe.positions();
    expect(p0!.latest - processed).toBe(50);
    const ts = await probe.timestampAt(0, processed);
    expect(ts).toBe(server!.events('orders', 0)[processed]!.enqueuedTimeMs);
    expect(await probe.timestampAt(0, 80)).toBeUndefined();
  });
});
