import { EventHubConsumerClient } from '@azure/event-hubs';
import { BlobCheckpointStore } from '@azure/eventhubs-checkpointstore-blob';
import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHubsLagProbe, EventHubsSink } from '../../src/backends/eventhubs/index.js';
import { eventHubsSinkConfigSchema, eventHubsSourceConfigSchema } from '../../src/config/eventhubs-config.js';
import { ConfigError, describeError, ExternalError } from '../../src/errors.js';
import { EventHubsTestServer } from '../fakes/eventhubs-server.js';
import { AZURITE_KEY, startAzurite, type Azurite } from '../helpers/azurite.js';
import { REPO, spawnCli } from '../helpers/cli.js';

/**
 * Lag of an external consumer group whose checkpoints live in a blob checkpoint store: checkpoints written
 * by the real `BlobCheckpointStore` into a real azurite, events held by the AMQP test server, and brewline
 * reading both (the probe directly, and `brewline lag --group` as a process).
 */
describe('Event Hubs consumer-group lag from a blob checkpoint store (azurite)', () => {
  const HUB = 'orders';
  const GROUP = 'fraud-scoring';
  const CONTAINER = 'eh-checkpoints';
  /** Events per partition; partition 3 loses most of them to retention and has no checkpoint. */
  const PER_PARTITION = [40, 25, 60, 50];
  /** Checkpointed sequence numbers (the last event each consumer processed); none for partitions 2 and 3. */
  const CHECKPOINTED: Record<number, number> = { 0: 9, 1: 24 };
  let server: EventHubsTestServer;
  let azurite: Azurite;
  let env: Record<string, string>;
  const closers: { close(): Promise<void> }[] = [];

  beforeAll(async () => {
    [server, azurite] = await Promise.all([
      EventHubsTestServer.start({ hubs: { [HUB]: PER_PARTITION.length } }),
      startAzurite(),
    ]);
    const hubEnv = { EVENTHUB_CONNECTION_STRING: server.connectionString(HUB) };
    // Given events in every partition
    const sink = new EventHubsSink(eventHubsSinkConfigSchema.parse({ kind: 'eventhubs' }), { env: hubEnv });
    await sink.open();
    for (const [p, count] of PER_PARTITION.entries()) {
      await sink.send(
        Array.from({ length: count }, (_, i) => ({ key: `b${p}`, value: `e${i}`, partition: p })),
      );
    }
    await sink.close();
    server.expire(HUB, 3, 7);
    // And a consumer group that checkpointed partitions 0 and 1, as an EventHubConsumerClient given a
    // BlobCheckpointStore does: under the namespace its client reports, with the event's sequence number and offset
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      CONTAINER,
    );
    await container.create();
    const consumer = new EventHubConsumerClient(GROUP, server.connectionString(HUB));
    const store = new BlobCheckpointStore(container);
    for (const [partition, sequenceNumber] of Object.entries(CHECKPOINTED)) {
      const event = server.events(HUB, Number(partition)).find((e) => e.sequenceNumber === sequenceNumber)!;
      await store.updateCheckpoint({
        fullyQualifiedNamespace: consumer.fullyQualifiedNamespace,
        eventHubName: consumer.eventHubName,
        consumerGroup: GROUP,
        partitionId: partition,
        sequenceNumber: event.sequenceNumber,
        offset: String(event.offset),
      });
    }
    await consumer.close();
    env = {
      ...hubEnv,
      EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING: azurite.connectionString,
      EVENTHUB_CHECKPOINT_STORE_CONTAINER: CONTAINER,
    };
  });

  afterAll(async () => {
    for (const c of closers.splice(0).reverse()) await c.close();
    await server?.stop();
    await azurite?.stop();
  });

  function probe(
    probeEnv: Record<string, string>,
    settings: Record<string, unknown> = {},
  ): EventHubsLagProbe {
    const p = new EventHubsLagProbe(eventHubsSourceConfigSchema.parse({ kind: 'eventhubs', ...settings }), {
      env: probeEnv,
    });
    closers.push(p);
    return p;
  }

  /** lag = the server's last enqueued sequence number + 1 − (checkpoint + 1), else from the earliest event. */
  function expectedLag(partition: number): number {
    const own = server.partitionProperties(HUB, partition);
    const checkpoint = CHECKPOINTED[partition];
    const from = checkpoint === undefined ? own.begin_sequence_number : checkpoint + 1;
    return own.last_enqueued_sequence_number + 1 - from;
  }

  it('reads the group offsets as checkpoint sequence number + 1, only for checkpointed partitions', async () => {
    // When the probe reads the group's checkpoints
    const offsets = await probe(env).groupOffsets(GROUP);
    // Then each checkpointed partition resumes just after its checkpoint
    expect(offsets).toEqual({ '0': 10, '1': 25 });
    // And another group (nothing checkpointed) has no offsets
    expect(await probe(env).groupOffsets('$Default')).toEqual({});
  });

  it('`brewline lag --source eventhubs --group` prints the lag of every partition against the server', async () => {
    // When the CLI measures the group's lag
    const run = spawnCli(['lag', '--source', 'eventhubs', '--group', GROUP, '--json'], { cwd: REPO, env });
    const exit = await run.exited;
    expect(exit.stderr).toBe('');
    expect(exit.code).toBe(0);
    const report = JSON.parse(exit.stdout) as {
      of: string;
      partitions: { partition: number; currentOffset?: number; logEndOffset: number; lag: number }[];
    };
    // Then each partition's lag matches the server's counters and the checkpoints
    expect(report.of).toBe(`consumer group ${GROUP}`);
    expect(report.partitions.map((r) => r.partition)).toEqual([0, 1, 2, 3]);
    for (const row of report.partitions)
      expect(row.lag, `partition ${row.partition}`).toBe(expectedLag(row.partition));
    // Concretely: 40−10, caught up, all 60 from the start, and the 7 events retention left
    expect(report.partitions.map((r) => r.lag)).toEqual([30, 0, 60, 7]);
    expect(report.partitions.map((r) => r.currentOffset)).toEqual([10, 25, undefined, undefined]);
    expect(exit.stdout).not.toContain(AZURITE_KEY);
  });

  it('names a missing container, with a hint and without the account key', async () => {
    const error = await probe({ ...env, EVENTHUB_CHECKPOINT_STORE_CONTAINER: 'no-such-container' })
      .groupOffsets(GROUP)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    const { message, exitCode } = describeError(error);
    expect(message).toContain(
      'blob container "no-such-container" of storage account devstoreaccount1 does not exist',
    );
    expect(message).toContain('hint: check EVENTHUB_CHECKPOINT_STORE_CONTAINER');
    expect(message).not.toContain(AZURITE_KEY);
    expect(exitCode).toBe(1);
  });

  it('rejects a malformed or missing store configuration as a config error (exit code 2)', async () => {
    const malformed = await probe({
      ...env,
      EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING: 'AccountKey=s3cr3t;nonsense',
    })
      .groupOffsets(GROUP)
      .catch((e: unknown) => e);
    expect(malformed).toBeInstanceOf(ConfigError);
    expect(describeError(malformed).message).toContain(
      'the storage connection string in EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING is malformed',
    );
    expect(describeError(malformed).message).not.toContain('s3cr3t');

    const {
      EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING: _,
      EVENTHUB_CHECKPOINT_STORE_CONTAINER: __,
      ...hubOnly
    } = env;
    const none = spawnCli(['lag', '--source', 'eventhubs', '--group', GROUP], { cwd: REPO, env: hubOnly });
    const exit = await none.exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('no blob checkpoint store is configured');
    expect(exit.stderr).toContain('hint: set EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING');
  });

  it('reports refused credentials without echoing the key', async () => {
    const wrongKey = azurite.connectionString.replace(AZURITE_KEY, Buffer.alloc(64, 7).toString('base64'));
    const error = await probe({ ...env, EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING: wrongKey })
      .groupOffsets(GROUP)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExternalError);
    const { message } = describeError(error);
    expect(message).toContain('the storage account refused the credentials');
    expect(message).not.toContain(Buffer.alloc(64, 7).toString('base64'));
  });
});
