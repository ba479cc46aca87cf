import { EventHubConsumerClient, EventHubProducerClient, type ReceivedEventData } from '@azure/event-hubs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EventHubsTestServer } from '../../fakes/eventhubs-server.js';

/** The protocol-level test server, exercised with the real SDK (no brewline code involved). */
describe('Event Hubs test server', () => {
  let server: EventHubsTestServer;
  const clients: { close(): Promise<void> }[] = [];

  beforeEach(async () => {
    server = await EventHubsTestServer.start({ hubs: { orders: 4 } });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await server.stop();
  });

  function producer(connectionString = server.connectionString()): EventHubProducerClient {
    const client = new EventHubProducerClient(connectionString, {
      retryOptions: { maxRetries: 0, timeoutInMs: 5000 },
    });
    clients.push(client);
    return client;
  }

  function consumer(): EventHubConsumerClient {
    const client = new EventHubConsumerClient('$Default', server.connectionString(), {
      retryOptions: { maxRetries: 0, timeoutInMs: 5000 },
    });
    clients.push(client);
    return client;
  }

  async function receive(partitionId: string, count: number, position: object): Promise<ReceivedEventData[]> {
    const got: ReceivedEventData[] = [];
    const client = consumer();
    await new Promise<void>((resolve, reject) => {
      const sub = client.subscribe(
        partitionId,
        {
          processEvents: async (events) => {
            got.push(...events);
            if (got.length >= count) await sub.close().then(resolve, reject);
          },
          processError: async (error) => reject(error),
        },
        {
          startPosition: position as never,
          maxBatchSize: 10,
          maxWaitTimeInSeconds: 1,
          skipParsingBodyAsJson: true,
        },
      );
    });
    return got;
  }

  it('reports hub and partition properties through $management', async () => {
    // Given a hub with 4 partitions and one event in partition 2
    const client = producer();
    const batch = await client.createBatch({ partitionId: '2' });
    expect(batch.tryAdd({ body: Buffer.from('hello') })).toBe(true);
    await client.sendBatch(batch);
    // When the SDK reads the properties
    const hub = await client.getEventHubProperties();
    const p2 = await client.getPartitionProperties('2');
    const p0 = await client.getPartitionProperties('0');
    // Then they match the server's own counters
    expect(hub.name).toBe('orders');
    expect(hub.partitionIds).toEqual(['0', '1', '2', '3']);
    expect(p2).toMatchObject({
      partitionId: '2',
      lastEnqueuedSequenceNumber: 0,
      isEmpty: false,
      lastEnqueuedOffset: '0',
    });
    expect(p0).toMatchObject({ isEmpty: true, lastEnqueuedSequenceNumber: -1 });
    expect(server.partitionProperties('orders', 2).last_enqueued_sequence_number).toBe(0);
  });

  it('stores a keyed batch on the partition the service hash picks, with monotonic sequence numbers', async () => {
    const client = producer();
    const batch = await client.createBatch({ partitionKey: 'Thamel' });
    for (let i = 0; i < 5; i++) batch.tryAdd({ body: Buffer.from(`e${i}`) });
    await client.sendBatch(batch);
    await client.sendBatch(batch);
    // 'Thamel' hashes to partition 0 of 4 (the SDK's own mapPartitionKeyToId agrees)
    expect(server.bodies('orders', 0)).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e0', 'e1', 'e2', 'e3', 'e4']);
    expect(server.events('orders', 0).map((e) => e.sequenceNumber)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(server.events('orders', 0).every((e) => e.partitionKey === 'Thamel')).toBe(true);
  });

  it('delivers from a sequence-number filter with annotations, honouring credit', async () => {
    const client = producer();
    const batch = await client.createBatch({ partitionId: '1' });
    for (let i = 0; i < 30; i++) batch.tryAdd({ body: Buffer.from(`m${i}`) });
    await client.sendBatch(batch);
    const events = await receive('1', 25, { sequenceNumber: 5, isInclusive: true });
    expect(events.slice(0, 25).map((e) => e.sequenceNumber)).toEqual(
      Array.from({ length: 25 }, (_, i) => i + 5),
    );
    expect(Buffer.from(events[0]!.body as Uint8Array).toString()).toBe('m5');
    expect(events[0]!.enqueuedTimeUtc).toBeInstanceOf(Date);
    expect(Number(events[1]!.offset)).toBeGreaterThan(Number(events[0]!.offset));
  });

  it('refuses a token signed with the wrong key', async () => {
    const client = producer(server.connectionString('orders', { key: 'not-the-key' }));
    await expect(client.getEventHubProperties()).rejects.toMatchObject({ code: 'UnauthorizedError' });
    expect(server.stats.unauthorized).toBeGreaterThan(0);
  });

  it('answers an unknown hub with not-found', async () => {
    const client = producer(server.connectionString('nope'));
    await expect(client.getEventHubProperties()).rejects.toMatchObject({
      code: 'MessagingEntityNotFoundError',
    });
    const batch = await client.createBatch().catch((e: unknown) => e);
    expect(batch).toMatchObject({ code: 'MessagingEntityNotFoundError' });
  });

  it('throttles with server-busy when told to', async () => {
    const client = producer();
    server.throttle(1);
    const batch = await client.createBatch({ partitionId: '0' });
    batch.tryAdd({ body: Buffer.from('x') });
    await expect(client.sendBatch(batch)).rejects.toMatchObject({ code: 'ServerBusyError' });
    await client.sendBatch(batch);
    expect(server.stats.throttled).toBe(1);
    expect(server.bodies('orders', 0)).toEqual(['x']);
  });
});
