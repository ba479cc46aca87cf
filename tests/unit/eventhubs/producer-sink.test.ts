import { afterEach, describe, expect, it } from 'vitest';
import { EventHubsSink } from '../../../src/backends/eventhubs/index.js';
import type { OutgoingMessage } from '../../../src/backends/types.js';
import { eventHubsSinkConfigSchema } from '../../../src/config/eventhubs-config.js';
import type { Clock } from '../../../src/domain/clock.js';
import { describeError, ExternalError } from '../../../src/errors.js';
import { EventHubsTestServer, type EventHubsTestServerOptions } from '../../fakes/eventhubs-server.js';
import { partitionForKey as kafkaPartition } from '../../../src/backends/partitioner.js';
import { partitionForKey } from '../../fakes/eventhubs/partition-key-hash.js';

/** A clock whose sleeps return at once while time moves on: backoff and caps run without real waiting. */
function steppingClock(): Clock & { slept: number[] } {
  let now = 1_700_000_000_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const BRANCHES = ['Thamel', 'Jhamsikhel', 'Durbar Marg', 'Bhaktapur', 'Pokhara Lakeside'];

function orders(count: number): OutgoingMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    key: BRANCHES[i % BRANCHES.length]!,
    value: JSON.stringify({ order_id: `o-${i}`, branch: BRANCHES[i % BRANCHES.length] }),
  }));
}

describe('EventHubsSink against the AMQP test server', () => {
  let server: EventHubsTestServer | undefined;
  let sink: EventHubsSink | undefined;

  afterEach(async () => {
    await sink?.close();
    await server?.stop();
    sink = undefined;
    server = undefined;
  });

  async function start(
    serverOptions: EventHubsTestServerOptions = {},
    sinkConfig: Record<string, unknown> = {},
    clock: Clock = steppingClock(),
  ): Promise<EventHubsSink> {
    server = await EventHubsTestServer.start(serverOptions);
    const config = eventHubsSinkConfigSchema.parse({ kind: 'eventhubs', ...sinkConfig });
    sink = new EventHubsSink(config, {
      env: { EVENTHUB_CONNECTION_STRING: server.connectionString('orders') },
      clock,
      initialBackoffMs: 50,
    });
    await sink.open();
    return sink;
  }

  it('packs orders into full per-partition batches, each branch in order on its Kafka murmur2 partition', async () => {
    const s = await start();
    const receipt = await s.send(orders(500));
    expect(receipt).toMatchObject({ acked: 500, rejections: [], throttled: 0 });
    for (const branch of BRANCHES) {
      const ids = server!
        .bodies('orders', kafkaPartition(branch, 4))
        .map((b) => JSON.parse(b) as { order_id: string; branch: string })
        .filter((o) => o.branch === branch)
        .map((o) => Number(o.order_id.slice(2)));
      expect(ids).toEqual(Array.from({ length: 100 }, (_, i) => i * 5 + BRANCHES.indexOf(branch)));
    }
    // one AMQP batch per partition that got orders, not one per event or per branch
    expect(server!.stats.batches).toBeLessThanOrEqual(4);
  });

  it('with partitioning=service, sends the branch as partition key and lets the service hash it', async () => {
    // Given a 4-partition hub
    const s = await start({}, { partitioning: 'service' });
    // When 500 orders of 5 branches are sent in one call
    const receipt = await s.send(orders(500));
    // Then every order is acknowledged, nothing throttled or rejected
    expect(receipt).toMatchObject({ acked: 500, rejections: [], throttled: 0 });
    expect(receipt.latencyMs).toBeGreaterThan(0);
    // And each branch's orders sit, in order, on the partition the service's hash assigns to the branch
    for (const branch of BRANCHES) {
      const partition = partitionForKey(branch, 4);
      const ids = server!
        .bodies('orders', partition)
        .map((b) => JSON.parse(b) as { order_id: string; branch: string })
        .filter((o) => o.branch === branch)
        .map((o) => Number(o.order_id.slice(2)));
      expect(ids).toHaveLength(100);
      expect(ids).toEqual([...ids].sort((a, b) => a - b));
    }
    // And a batch holds many events (tryAdd packing), not one transfer per event
    expect(server!.stats.batches).toBeLessThanOrEqual(BRANCHES.length);
  });

  it('splits a group into several batches when the byte limit is reached', async () => {
    const s = await start({ maxMessageBytes: 16 * 1024 });
    const big = Array.from({ length: 40 }, (_, i) => ({ key: 'Thamel', value: 'x'.repeat(1000) + i }));
    const receipt = await s.send(big);
    expect(receipt.acked).toBe(40);
    expect(server!.stats.batches).toBeGreaterThanOrEqual(3);
    expect(server!.stats.oversize).toBe(0);
  });

  it('sends to an explicit partition when one is given', async () => {
    const s = await start();
    await s.send([
      { key: 'Thamel', value: 'a', partition: 3 },
      { key: 'Thamel', value: 'b', partition: 3 },
    ]);
    expect(server!.bodies('orders', 3)).toEqual(['a', 'b']);
  });

  it('rejects oversize events before sending and counts them, sending the rest', async () => {
    // Given a hub whose batches are limited to 64 KiB
    const s = await start({ maxMessageBytes: 64 * 1024 });
    expect(s.capabilities.maxMessageBytes).toBeLessThan(64 * 1024);
    const msgs = orders(5);
    const oversize = { key: 'Thamel', value: 'y'.repeat(70 * 1024) };
    // When two oversize events are among five good ones
    const receipt = await s.send([msgs[0]!, oversize, msgs[1]!, oversize, msgs[2]!, msgs[3]!, msgs[4]!]);
    // Then they are refused with a reason, the others acknowledged, and the server never saw them
    expect(receipt.acked).toBe(5);
    expect(receipt.rejections.map((r) => r.index)).toEqual([1, 3]);
    expect(receipt.rejections[0]!.reason).toMatch(/event of 71680 bytes exceeds the \d+-byte limit/);
    expect(server!.stats.oversize).toBe(0);
    expect(s.totals.rejected).toBe(2);
  });

  it('retries ServerBusy with growing backoff and reports it as throttling, not failure', async () => {
    const clock = steppingClock();
    const s = await start({}, {}, clock);
    server!.throttle(3);
    const receipt = await s.send([{ key: 'Thamel', value: 'once' }]);
    expect(receipt).toMatchObject({ acked: 1, throttled: 3, retries: 3 });
    expect(server!.stats.throttled).toBe(3);
    expect(server!.bodies('orders', kafkaPartition('Thamel', 4))).toEqual(['once']);
    // full-jitter exponential backoff: each ceiling doubles
    expect(clock.slept).toHaveLength(3);
    expect(clock.slept[2]!).toBeGreaterThan(clock.slept[0]!);
  });

  it('counts each throttling once, on the send that met it, with sends in flight together', async () => {
    const s = await start();
    server!.throttle(2);
    const receipts = await Promise.all([0, 1, 2, 3].map(() => s.send(orders(50))));
    expect(receipts.reduce((n, r) => n + r.throttled, 0)).toBe(2);
    expect(s.totals.throttled).toBe(2);
  });

  it('fails with a clear error when throttling outlasts the retries', async () => {
    const s = await start({}, { retries: 2 });
    server!.throttle(40);
    const error = await s.send([{ key: 'Thamel', value: 'x' }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as Error).message).toMatch(/throttled/);
    expect(describeError(error).message).toMatch(/hint: lower the load or pass --throughput-units/);
    expect(s.totals.throttled).toBe(31);
  });

  it('survives dropped connections without losing an acknowledged event', async () => {
    // Given a short operation timeout: a batch sent into a connection that just died waits that long for its ack
    const s = await start({}, { timeoutMs: 1_500 });
    await s.send(orders(100));
    // When the server cuts every connection and the next send goes out at once
    expect(server!.dropConnections()).toBeGreaterThan(0);
    const receipt = await s.send(orders(100));
    // Then the send still completes, by retrying on a new connection
    expect(receipt.acked).toBe(100);
    expect(receipt.retries).toBeGreaterThan(0);
    const stored = [0, 1, 2, 3].reduce((n, p) => n + server!.events('orders', p).length, 0);
    expect(stored).toBeGreaterThanOrEqual(200);
  });

  it('caps ingress at the throughput units asked for, on the injected clock', async () => {
    // Given a cap of 1 TU (1,000 events/s) and a clock that moves only when the sink waits
    const clock = steppingClock();
    const s = await start({}, { throughputUnits: 1 }, clock);
    const t0 = clock.now();
    // When 3,000 events are sent
    for (let i = 0; i < 6; i++) await s.send(orders(500));
    // Then sending them took at least 2 s of that clock (the first second's quota is available at once)
    expect(clock.now() - t0).toBeGreaterThanOrEqual(1_900);
    expect(s.totals.cappedWaitMs).toBeGreaterThanOrEqual(1_900);
    expect(server!.stats.throttled).toBe(0);
  });

  it('names a wrong hub in one line', async () => {
    server = await EventHubsTestServer.start();
    const config = eventHubsSinkConfigSchema.parse({ kind: 'eventhubs', hub: 'nope' });
    sink = new EventHubsSink(config, {
      env: { EVENTHUB_CONNECTION_STRING: server.connectionString('x', { entityPath: false }) },
    });
    const error = await sink.open().catch((e: unknown) => e);
    const { message, exitCode } = describeError(error);
    expect(message).toMatch(/event hub "nope" does not exist on 127\.0\.0\.1:\d+/);
    expect(message).toMatch(/hint: check --hub or EntityPath/);
    expect(exitCode).toBe(1);
    sink = undefined;
  });

  it('reports a refused token without printing the key', async () => {
    server = await EventHubsTestServer.start({ key: 'the-real-key' });
    const cs = server.connectionString('orders', { key: 'WrongSecretKey123=' });
    sink = new EventHubsSink(eventHubsSinkConfigSchema.parse({ kind: 'eventhubs' }), {
      env: { EVENTHUB_CONNECTION_STRING: cs },
    });
    const error = await sink.open().catch((e: unknown) => e);
    const { message } = describeError(error);
    expect(message).toMatch(/Event Hubs refused the credentials/);
    expect(message).toMatch(/check SharedAccessKeyName and SharedAccessKey/);
    expect(message).not.toContain('WrongSecretKey123');
    sink = undefined;
  });
});
