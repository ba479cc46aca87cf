import type { EventHubConsumerClient } from '@azure/event-hubs';
import type { TokenCredential } from '@azure/identity';
import type { EventHubsSourceConfig } from '../../config/eventhubs-config.js';
import {
  EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING_ENV,
  EVENTHUB_CHECKPOINT_STORE_CONTAINER_ENV,
} from '../../config/eventhubs-config.js';
import { BrewlineError, ConfigError, ExternalError } from '../../errors.js';
import { retry } from '../../retry.js';
import type {
  LagProbe,
  OffsetRange,
  PartitionOffsets,
  PartitionPosition,
  Source,
  SourceCapabilities,
  SourceRecord,
} from '../types.js';
import { EventHubsCheckpointReader, resolveCheckpointStore } from './checkpoint-store.js';
import { createConsumerClient, resolveEventHubsTarget, type EventHubsTarget } from './connection.js';
import { PartitionReader } from './partition-reader.js';
import { translateEventHubsError } from './sdk-errors.js';

export interface EventHubsSourceOptions {
  credential?: TokenCredential;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** How long a read waits for events the hub said exist before failing (retriably). @default 30_000 */
  readTimeoutMs?: number;
  /** Events each partition reader buffers ahead of the pipeline. @default 5_000 */
  highWater?: number;
}

/** How long the first `$management` call may take before the hub counts as unreachable. */
const CONNECT_TIMEOUT_MS = 20_000;
/** How long `close()` waits for the SDK clients to close. */
const CLOSE_WAIT_MS = 5_000;
/** How often `waitForData` asks the hub for new positions. */
const WAIT_POLL_MS = 250;

/**
 * Lag of an Event Hubs partition, read fresh from `$management` (`getPartitionProperties`): the last
 * enqueued sequence number and time. In brewline's seam an offset is a sequence number, so `latest` is the
 * last enqueued sequence number + 1 and lag in events is `latest − processed`.
 */
export class EventHubsLagProbe implements LagProbe {
  readonly kind = 'eventhubs';
  readonly description: string;
  protected readonly target: EventHubsTarget;
  protected client: EventHubConsumerClient | undefined;
  /** A promise, so concurrent look-ups of different partitions share one client instead of racing to make two. */
  private lookupClient: Promise<EventHubConsumerClient> | undefined;
  private partitionIds: readonly string[] = [];
  private readonly timestamps = new Map<string, number>();
  private readonly lookups = new Map<number, Promise<number | undefined>>();
  /** Aborted by `close()`: in-flight calls end at once and later ones are refused (no client is re-made). */
  protected readonly closing = new AbortController();
  /** Whether the hub has answered a `$management` call yet. */
  private answered = false;

  constructor(
    protected readonly config: EventHubsSourceConfig,
    protected readonly options: EventHubsSourceOptions = {},
  ) {
    this.target = resolveEventHubsTarget(config, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.credential ? { credential: options.credential } : {}),
    });
    this.description = `${this.target.description}, consumer group ${config.consumerGroup}`;
  }

  protected async connect(): Promise<EventHubConsumerClient> {
    if (!this.client) {
      const client = await createConsumerClient(this.target, this.config.consumerGroup);
      try {
        await this.refreshPartitions(client);
      } catch (error) {
        await client.close().catch(() => undefined);
        throw error;
      }
      this.client = client;
    }
    return this.client;
  }

  /** Partition ids, re-read each time so partitions added to the hub are picked up. */
  protected async refreshPartitions(client: EventHubConsumerClient): Promise<readonly string[]> {
    const properties = await this.call('reading the hub properties', (abortSignal) =>
      client.getEventHubProperties({ abortSignal }),
    );
    this.partitionIds = properties.partitionIds;
    return this.partitionIds;
  }

  /** Latest positions seen by the last `positions()`, the baseline `waitForData` compares with. */
  protected readonly lastLatest = new Map<number, number>();

  async positions(): Promise<PartitionPosition[]> {
    const client = await this.connect();
    const ids = await this.refreshPartitions(client);
    const positions = await Promise.all(
      ids.map(async (id) => {
        const p = await this.call(`reading partition ${id}`, (abortSignal) =>
          client.getPartitionProperties(id, { abortSignal }),
        );
        const earliest = Number(p.beginningSequenceNumber);
        const latest = p.isEmpty
          ? Math.max(earliest, Number(p.lastEnqueuedSequenceNumber) + 1)
          : Number(p.lastEnqueuedSequenceNumber) + 1;
        return {
          partition: Number(id),
          earliest: Math.max(0, earliest),
          latest,
          ...(p.isEmpty ? {} : { latestTimestampMs: p.lastEnqueuedOnUtc.getTime() }),
        };
      }),
    );
    // Only ever forward: a slower concurrent call (a status endpoint's) must not move the read clamp back.
    for (const p of positions) {
      this.lastLatest.set(p.partition, Math.max(p.latest, this.lastLatest.get(p.partition) ?? 0));
    }
    return positions;
  }

  /**
   * Enqueued time of the event at a sequence number (one short receive; remembered). Look-ups of one
   * partition run one at a time: the SDK allows a single subscription per partition and client, and a
   * status endpoint may ask twice at once.
   */
  async timestampAt(partition: number, offset: number): Promise<number | undefined> {
    const previous = this.lookups.get(partition) ?? Promise.resolve(undefined);
    const lookup = previous.catch(() => undefined).then(() => this.lookUpTimestamp(partition, offset));
    this.lookups.set(partition, lookup);
    try {
      return await lookup;
    } finally {
      if (this.lookups.get(partition) === lookup) this.lookups.delete(partition);
    }
  }

  private async lookUpTimestamp(partition: number, offset: number): Promise<number | undefined> {
    const key = `${partition}:${offset}`;
    const known = this.timestamps.get(key);
    if (known !== undefined) return known;
    const position = (await this.positions()).find((p) => p.partition === partition);
    if (!position || offset < position.earliest || offset >= position.latest) return undefined;
    // A client of its own: the SDK allows one subscription per partition and client, and the source's
    // readers may hold them.
    this.lookupClient ??= createConsumerClient(this.target, this.config.consumerGroup);
    const reader = new PartitionReader(await this.lookupClient, String(partition), {
      receiveBatchSize: 1,
      highWater: 1,
    });
    try {
      const [event] = await reader.read(offset, offset + 1, this.target.timeoutMs);
      if (!event) return undefined;
      this.remember(partition, offset, event.enqueuedTimeMs);
      return event.enqueuedTimeMs;
    } finally {
      await reader.close();
    }
  }

  /**
   * Processed offsets of an external consumer group whose checkpoints live in a blob checkpoint store
   * (`BlobCheckpointStore` of @azure/eventhubs-checkpointstore-blob), read fresh on every call. A
   * checkpoint's sequence number is the last event processed, so the offset is sequenceNumber + 1; a
   * partition without a checkpoint is absent (lag counts it from its earliest event).
   */
  async groupOffsets(group: string): Promise<PartitionOffsets> {
    if (!this.checkpointReader) {
      const store = resolveCheckpointStore(this.config, this.options.env);
      if (!store) {
        throw new ConfigError(
          `consumer group "${group}" of ${this.target.description}: no blob checkpoint store is configured to read its checkpoints from`,
          {
            hint: `set ${EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING_ENV} and ${EVENTHUB_CHECKPOINT_STORE_CONTAINER_ENV} (or source.checkpointStore in the config file) to the storage container the group's consumers checkpoint to; for the pipeline's own position use --checkpoint`,
          },
        );
      }
      this.checkpointReader = new EventHubsCheckpointReader(store, this.target.timeoutMs);
    }
    // The namespace exactly as the SDK's consumers name it in their blob paths (host[:port], from the client).
    const client = await this.connect();
    return this.checkpointReader.groupOffsets(client.fullyQualifiedNamespace, this.target.hub, group);
  }

  private checkpointReader: EventHubsCheckpointReader | undefined;

  protected remember(partition: number, offset: number, timestampMs: number): void {
    if (this.timestamps.size > 10_000) this.timestamps.clear();
    this.timestamps.set(`${partition}:${offset}`, timestampMs);
  }

  async close(): Promise<void> {
    this.closing.abort();
    const lookupClient = this.lookupClient?.catch(() => undefined);
    const clients = [this.client, await lookupClient];
    this.client = undefined;
    this.lookupClient = undefined;
    // A client whose connection never opened may never finish closing: don't wait for it past a bound.
    await Promise.race([
      Promise.all(clients.map((c) => c?.close().catch(() => undefined))),
      new Promise<void>((resolve) => setTimeout(resolve, CLOSE_WAIT_MS).unref()),
    ]);
  }

  /**
   * One `$management` call under a deadline and the probe's close signal (the SDK's own per-attempt timeout
   * is at least 60 s). Until the hub has answered once, a failure is final at once: a wrong key or an endpoint
   * that never answers is reported in seconds instead of after minutes of silent retries; afterwards
   * transient failures get the usual bounded retries.
   */
  protected call<T>(doing: string, operation: (abortSignal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closing.signal.aborted) {
      return Promise.reject(new ExternalError(`${this.target.description} is closed (${doing})`));
    }
    const connected = this.answered;
    const deadlineMs = connected
      ? this.target.timeoutMs
      : Math.min(this.target.timeoutMs, CONNECT_TIMEOUT_MS);
    return retry(
      async () => {
        const timeout = AbortSignal.timeout(deadlineMs);
        try {
          const signal = AbortSignal.any([this.closing.signal, timeout]);
          // Raced as well: the SDK does not give up on a connection that is still opening when aborted.
          const result = await Promise.race([operation(signal), rejectOnAbort(signal)]);
          this.answered = true;
          return result;
        } catch (error) {
          if (this.closing.signal.aborted) {
            throw new ExternalError(`stopped while ${doing} (${this.target.description})`, { cause: error });
          }
          if (timeout.aborted) {
            throw new ExternalError(
              `no answer from Event Hubs within ${Math.round(deadlineMs / 1000)} s while ${doing} (${this.target.description})`,
              {
                cause: error,
                retriable: connected,
                hint: `check that ${this.target.host} is reachable from here (port 5671, or 5672 for the emulator) and the connection string's Endpoint`,
              },
            );
          }
          throw translateEventHubsError(error, this.target, doing);
        }
      },
      {
        retries: connected ? 5 : 0,
        initialDelayMs: 200,
        maxDelayMs: 5_000,
        signal: this.closing.signal,
        isRetriable: (e) => e instanceof ExternalError && e.retriable,
      },
    );
  }
}

/**
 * The pipeline's Event Hubs source: reads each partition by sequence number over exactly the ranges the
 * engine planned from its own checkpoint (like Spark's Kafka source), so a re-run batch reads the same
 * events. Bronze gets partition, sequence number (the offset) and enqueued time.
 */
export class EventHubsSource extends EventHubsLagProbe implements Source {
  readonly id: string;
  readonly capabilities: SourceCapabilities = { denseOffsets: true, canWait: true, externalCommit: false };
  private readonly readers = new Map<number, PartitionReader>();

  constructor(config: EventHubsSourceConfig, options: EventHubsSourceOptions = {}) {
    super(config, options);
    // Stable across restarts and free of secrets: the namespace host and hub (the group doesn't change data).
    this.id = `eventhubs:${this.target.host}/${this.target.hub}`;
  }

  async open(): Promise<void> {
    await this.connect();
  }

  async read(ranges: readonly OffsetRange[], signal?: AbortSignal): Promise<SourceRecord[]> {
    const client = this.client;
    if (!client) throw new BrewlineError('the Event Hubs source is not open');
    const timeout = this.options.readTimeoutMs ?? 30_000;
    // A range may end past what exists (the seam allows it): clamp to the fresh end before waiting for events.
    if (ranges.some((r) => r.to > (this.lastLatest.get(r.partition) ?? 0))) await this.positions();
    const perRange = await Promise.all(
      ranges.map(async (wanted) => {
        const range = { ...wanted, to: Math.min(wanted.to, this.lastLatest.get(wanted.partition) ?? 0) };
        if (range.to <= range.from) return [];
        let reader = this.readers.get(range.partition);
        if (!reader) {
          reader = new PartitionReader(client, String(range.partition), {
            receiveBatchSize: this.config.receiveBatchSize,
            ...(this.options.highWater ? { highWater: this.options.highWater } : {}),
          });
          this.readers.set(range.partition, reader);
        }
        const current = reader;
        const events = await retry(
          async () => {
            try {
              return await current.read(range.from, range.to, timeout, signal);
            } catch (error) {
              if (signal?.aborted) throw error;
              // The next try starts a fresh subscription at exactly range.from.
              await current.close();
              const translated = translateEventHubsError(
                error,
                this.target,
                `reading partition ${range.partition}`,
              );
              // A read that timed out is worth one more try from the same position on a fresh link.
              throw translated.retriable || !(error as { code?: string }).code
                ? new ExternalError(translated.message, { cause: error, retriable: true })
                : translated;
            }
          },
          {
            retries: 3,
            initialDelayMs: 200,
            isRetriable: (e) => e instanceof ExternalError && e.retriable,
            ...(signal ? { signal } : {}),
          },
        );
        return events.map((event): SourceRecord => {
          this.remember(range.partition, event.sequenceNumber, event.enqueuedTimeMs);
          return {
            topic: this.target.hub,
            partition: range.partition,
            offset: event.sequenceNumber,
            key: event.partitionKey,
            value: event.body,
            timestampMs: event.enqueuedTimeMs,
            timestampType: 'EnqueuedTime',
          };
        });
      }),
    );
    return perRange.flat();
  }

  /**
   * Resolves once a partition holds more than the last `positions()` saw, or after `timeoutMs`. Event Hubs
   * has no "new data" signal over `$management`, so this polls the partition properties a few times a second.
   */
  async waitForData(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const baseline = new Map(this.lastLatest);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0 || signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, Math.min(WAIT_POLL_MS, left));
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      });
      if (signal?.aborted) return;
      const positions = await this.positions();
      if (positions.some((p) => p.latest > (baseline.get(p.partition) ?? 0))) return;
    }
  }

  override async close(): Promise<void> {
    await Promise.all([...this.readers.values()].map((r) => r.close()));
    this.readers.clear();
    await super.close();
  }
}

/** A promise that rejects when `signal` aborts (and never settles otherwise). */
function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_resolve, reject) => {
    const abort = (): void => reject(signal.reason ?? new Error('aborted'));
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
  });
}
