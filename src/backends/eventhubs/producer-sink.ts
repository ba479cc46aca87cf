import type { CreateBatchOptions, EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import type { TokenCredential } from '@azure/identity';
import type { EventHubsSinkConfig } from '../../config/eventhubs-config.js';
import { systemClock, type Clock } from '../../domain/clock.js';
import { BrewlineError, ExternalError } from '../../errors.js';
import { retry } from '../../retry.js';
import type { OutgoingMessage, Rejection, SendReceipt, Sink, SinkCapabilities } from '../types.js';
import { partitionForKey } from '../partitioner.js';
import { createProducerClient, resolveEventHubsTarget, type EventHubsTarget } from './connection.js';
import { isThrottling, translateEventHubsError } from './sdk-errors.js';
import { ThroughputLimiter } from './throughput-limiter.js';

/** Application property carrying the message key (the branch) when events go to an explicit partition. */
export const KEY_PROPERTY = 'brewline-key';

/** ServerBusy answers one batch may meet before its send fails (about 2 minutes at the largest backoff). */
const THROTTLE_RETRIES = 30;

/** Room kept in a batch for the AMQP envelope and one event's own sections (partition key included). */
const EVENT_OVERHEAD_BYTES = 1024;

export interface EventHubsSinkOptions {
  /** Clock for backoff and the throughput cap. @default systemClock */
  clock?: Clock;
  /** Credential for keyless sign-in. @default DefaultAzureCredential */
  credential?: TokenCredential;
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** First backoff after throttling or a lost connection, ms. @default 200 */
  initialBackoffMs?: number;
  /** @default 5_000 */
  maxBackoffMs?: number;
}

/** Running totals since `open`, for summaries and tests. */
export interface EventHubsSinkTotals {
  /** AMQP batches acknowledged. */
  batches: number;
  events: number;
  rejected: number;
  /** ServerBusy answers met (each one retried). */
  throttled: number;
  retries: number;
  /** ms spent waiting for the throughput-unit cap. */
  cappedWaitMs: number;
}

interface SendCounts {
  throttled: number;
  retries: number;
}

interface PendingBatch {
  readonly batch: EventDataBatch;
}

interface Group {
  readonly options: CreateBatchOptions;
  readonly items: { index: number; body: Uint8Array; key: string }[];
}

const encoder = new TextEncoder();

/**
 * Producer sink for Azure Event Hubs over AMQP (`@azure/event-hubs`). Each `send` packs its messages into
 * `EventDataBatch`es with `tryAdd` up to the hub's batch limit and sends them concurrently. A branch always
 * lands on one partition, so its orders stay in order: by default the partition Kafka's murmur2 gives the
 * branch (as on every brewline backend; one batch per partition), or with `partitioning: service` a batch per
 * branch sent with the branch as partition key, which the service hashes itself. Throttling (ServerBusy) and lost connections are retried with backoff by the one retrier and
 * reported as `throttled`/`retries`, not as failures; events that can never fit are rejected before sending.
 */
export class EventHubsSink implements Sink {
  readonly kind = 'eventhubs';
  readonly description: string;
  readonly totals: EventHubsSinkTotals = {
    batches: 0,
    events: 0,
    rejected: 0,
    throttled: 0,
    retries: 0,
    cappedWaitMs: 0,
  };
  private caps: SinkCapabilities;
  private readonly target: EventHubsTarget;
  private readonly clock: Clock;
  private readonly limiter: ThroughputLimiter | undefined;
  private client: EventHubProducerClient | undefined;
  private partitionIds: readonly string[] = [];
  private batchLimit = 0;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Per partition (or key), the completion of the last send queued for it. */
  private readonly lines = new Map<string, Promise<void>>();

  constructor(
    private readonly config: EventHubsSinkConfig,
    private readonly options: EventHubsSinkOptions = {},
  ) {
    this.target = resolveEventHubsTarget(config, {
      ...(options.env ? { env: options.env } : {}),
      ...(options.credential ? { credential: options.credential } : {}),
    });
    this.clock = options.clock ?? systemClock;
    this.limiter =
      config.throughputUnits === undefined
        ? undefined
        : new ThroughputLimiter(config.throughputUnits, this.clock);
    this.description = `${this.target.description}${config.throughputUnits ? `, capped at ${config.throughputUnits} TU` : ''}`;
    this.caps = {
      maxMessageBytes: (config.maxBatchBytes ?? 1_048_576) - EVENT_OVERHEAD_BYTES,
      maxInFlight: config.maxInFlight,
      preferredBatchSize: 500,
      durable: true,
    };
  }

  /** Known after `open`: the hub's batch limit decides the largest event. */
  get capabilities(): SinkCapabilities {
    return this.caps;
  }

  /** Partition ids of the hub, known after `open`. */
  get partitions(): readonly string[] {
    return this.partitionIds;
  }

  async open(): Promise<void> {
    const client = await createProducerClient(this.target);
    try {
      const properties = await this.withRetry('reading the hub properties', () =>
        client.getEventHubProperties(),
      );
      this.partitionIds = properties.partitionIds;
      // An empty batch tells the link's real limit (1 MB on Standard, more on Premium/Dedicated).
      const probe = await this.withRetry('opening the sender link', () => client.createBatch());
      this.batchLimit = Math.min(probe.maxSizeInBytes, this.config.maxBatchBytes ?? Number.POSITIVE_INFINITY);
    } catch (error) {
      await client.close().catch(() => undefined);
      throw error;
    }
    this.client = client;
    // Only ever lower: a caller (the simulator) may have sized its oversize faults from the value before open.
    const known = this.caps.maxMessageBytes ?? Number.POSITIVE_INFINITY;
    this.caps = { ...this.caps, maxMessageBytes: Math.min(known, this.batchLimit - EVENT_OVERHEAD_BYTES) };
  }

  async send(messages: readonly OutgoingMessage[]): Promise<SendReceipt> {
    const client = this.client;
    if (!client) throw new BrewlineError('the Event Hubs sink is not open');
    const started = performance.now();
    // This call's own throttling and retries (concurrent sends must not count each other's).
    const counts: SendCounts = { throttled: 0, retries: 0 };
    const rejections: Rejection[] = [];
    const groups = this.group(messages, rejections);
    // Take this call's place in each partition's line now, before any await: concurrent sends (the
    // backpressure window) must reach a partition in the order they were called, retries included.
    const turns = [...groups].map(([id, group]) => {
      const previous = this.lines.get(id) ?? Promise.resolve();
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      this.lines.set(id, mine);
      return { id, group, previous, mine, release };
    });
    let acked = 0;
    const work = Promise.all(
      turns.map(async ({ id, group, previous, mine, release }) => {
        try {
          const pending: PendingBatch[] = [];
          await this.pack(client, group, pending, rejections, counts);
          await previous;
          // One partition's batches go one after another (a retried batch is never overtaken); partitions
          // go in parallel.
          for (const p of pending) {
            await this.sendBatch(client, p, counts);
            acked += p.batch.count;
          }
        } finally {
          release();
          if (this.lines.get(id) === mine) this.lines.delete(id);
        }
      }),
    );
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
    this.totals.events += acked;
    this.totals.rejected += rejections.length;
    rejections.sort((a, b) => a.index - b.index);
    return {
      acked,
      rejections,
      latencyMs: performance.now() - started,
      throttled: counts.throttled,
      retries: counts.retries,
    };
  }

  async flush(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  async close(): Promise<void> {
    await this.flush();
    const client = this.client;
    this.client = undefined;
    await client?.close();
  }

  /** Groups by partition key, or by explicit partition; oversize and impossible partitions are rejected here. */
  private group(messages: readonly OutgoingMessage[], rejections: Rejection[]): Map<string, Group> {
    const groups = new Map<string, Group>();
    const limit = this.caps.maxMessageBytes ?? Number.POSITIVE_INFINITY;
    for (let index = 0; index < messages.length; index++) {
      const m = messages[index]!;
      const body = typeof m.value === 'string' ? encoder.encode(m.value) : m.value;
      if (body.byteLength > limit) {
        rejections.push({
          index,
          reason: `event of ${body.byteLength} bytes exceeds the ${limit}-byte limit of ${this.target.description}`,
        });
        continue;
      }
      let id: string;
      let options: CreateBatchOptions;
      if (m.partition !== undefined) {
        if (!Number.isInteger(m.partition) || m.partition < 0 || m.partition >= this.partitionIds.length) {
          rejections.push({
            index,
            reason: `partition ${m.partition} does not exist (the hub has ${this.partitionIds.length})`,
          });
          continue;
        }
        id = `p:${m.partition}`;
        options = { partitionId: this.partitionIds[m.partition]! };
      } else if (this.config.partitioning === 'service') {
        id = `k:${m.key}`;
        options = { partitionKey: m.key };
      } else {
        // Kafka's murmur2, like every brewline backend: a branch gets the same partition number on the bus,
        // Kafka and Event Hubs, and one batch per partition packs far fuller than one per branch.
        const partition = partitionForKey(m.key, this.partitionIds.length);
        id = `p:${partition}`;
        options = { partitionId: this.partitionIds[partition]! };
      }
      let group = groups.get(id);
      if (!group) {
        group = {
          options: this.batchLimit ? { ...options, maxSizeInBytes: this.batchLimit } : options,
          items: [],
        };
        groups.set(id, group);
      }
      group.items.push({ index, body, key: m.key });
    }
    return groups;
  }

  /** Fills batches with `tryAdd` until full; an event that fits no empty batch is rejected, never half-sent. */
  private async pack(
    client: EventHubProducerClient,
    group: Group,
    pending: PendingBatch[],
    rejections: Rejection[],
    counts: SendCounts,
  ): Promise<void> {
    const create = (): Promise<EventDataBatch> =>
      this.withRetry('creating a batch', () => client.createBatch(group.options), counts);
    let batch = await create();
    for (const item of group.items) {
      // A batch bound to a partition id cannot carry a partition key, so the key travels as a property.
      const event = { body: item.body, properties: { [KEY_PROPERTY]: item.key } };
      if (batch.tryAdd(event)) continue;
      if (batch.count > 0) {
        pending.push({ batch });
        batch = await create();
        if (batch.tryAdd(event)) continue;
      }
      rejections.push({
        index: item.index,
        reason: `event of ${item.body.byteLength} bytes does not fit in a ${batch.maxSizeInBytes}-byte Event Hubs batch`,
      });
    }
    if (batch.count > 0) pending.push({ batch });
  }

  private async sendBatch(
    client: EventHubProducerClient,
    pending: PendingBatch,
    counts: SendCounts,
  ): Promise<void> {
    const { batch } = pending;
    if (this.limiter) {
      const waited = this.limiter.waitedMs;
      await this.limiter.take(batch.count, batch.sizeInBytes);
      this.totals.cappedWaitMs += this.limiter.waitedMs - waited;
    }
    await this.withRetry('sending a batch', () => client.sendBatch(batch), counts);
    this.totals.batches++;
  }

  /**
   * Runs one SDK call under the one retrier. Throttling is the service asking to slow down, not a failure:
   * it gets its own, larger budget (THROTTLE_RETRIES); other transient failures get `retries`.
   */
  private withRetry<T>(doing: string, operation: () => Promise<T>, counts?: SendCounts): Promise<T> {
    let throttles = 0;
    let failures = 0;
    return retry(
      async () => {
        try {
          return await operation();
        } catch (error) {
          const throttled = isThrottling(error);
          if (throttled) {
            this.totals.throttled++;
            if (counts) counts.throttled++;
            throttles++;
          } else {
            failures++;
          }
          const translated = translateEventHubsError(error, this.target, doing);
          const exhausted = throttled ? throttles > THROTTLE_RETRIES : failures > this.config.retries;
          throw exhausted
            ? new ExternalError(translated.message, {
                cause: error,
                hint:
                  translated.hint ??
                  (throttled
                    ? 'lower the load or pass --throughput-units to stay under the namespace quota'
                    : undefined),
              })
            : translated;
        }
      },
      {
        retries: THROTTLE_RETRIES + this.config.retries,
        initialDelayMs: this.options.initialBackoffMs ?? 200,
        maxDelayMs: this.options.maxBackoffMs ?? 5_000,
        clock: this.clock,
        isRetriable: (error) => error instanceof ExternalError && error.retriable,
        onRetry: () => {
          this.totals.retries++;
          if (counts) counts.retries++;
        },
      },
    );
  }
}
