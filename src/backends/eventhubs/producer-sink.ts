import type { CreateBatchOptions, EventDataBatch, EventHubProducerClient } from '@azure/event-hubs';
import type { TokenCredential } from '@azure/identity';
import type { EventHubsSinkConfig } from '../../config/eventhubs-config.js';
import { systemClock, type Clock } from '../../domain/clock.js';
import { BrewlineError, ExternalError } from '../../errors.js';
import { retry } from '../../retry.js';
import type { OutgoingMessage, Rejection, SendReceipt, Sink, SinkCapabilities } from '../types.js';
import { createProducerClient, resolveEventHubsTarget, type EventHubsTarget } from './connection.js';
import { isThrottling, translateEventHubsError } from './sdk-errors.js';
import { ThroughputLimiter } from './throughput-limiter.js';

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

interface PendingBatch {
  readonly batch: EventDataBatch;
}

interface Group {
  readonly options: CreateBatchOptions;
  readonly items: { index: number; body: Uint8Array }[];
}

const encoder = new TextEncoder();

/**
 * Producer sink for Azure Event Hubs over AMQP (`@azure/event-hubs`). Each `send` packs its messages into
 * `EventDataBatch`es with `tryAdd` up to the hub's batch limit — one batch stream per partition key (the
 * branch, so one branch's orders stay in order on one partition) or per explicit partition — and sends them
 * concurrently. Throttling (ServerBusy) and lost connections are retried with backoff by the one retrier and
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
    const before = { throttled: this.totals.throttled, retries: this.totals.retries };
    const rejections: Rejection[] = [];
    const groups = this.group(messages, rejections);
    const pending: PendingBatch[] = [];
    for (const group of groups.values()) await this.pack(client, group, pending, rejections);
    const work = Promise.all(pending.map((p) => this.sendBatch(client, p)));
    this.inFlight.add(work);
    try {
      await work;
    } finally {
      this.inFlight.delete(work);
    }
    const acked = pending.reduce((n, p) => n + p.batch.count, 0);
    this.totals.events += acked;
    this.totals.rejected += rejections.length;
    rejections.sort((a, b) => a.index - b.index);
    return {
      acked,
      rejections,
      latencyMs: performance.now() - started,
      throttled: this.totals.throttled - before.throttled,
      retries: this.totals.retries - before.retries,
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
      } else {
        id = `k:${m.key}`;
        options = { partitionKey: m.key };
      }
      let group = groups.get(id);
      if (!group) {
        group = {
          options: this.batchLimit ? { ...options, maxSizeInBytes: this.batchLimit } : options,
          items: [],
        };
        groups.set(id, group);
      }
      group.items.push({ index, body });
    }
    return groups;
  }

  /** Fills batches with `tryAdd` until full; an event that fits no empty batch is rejected, never half-sent. */
  private async pack(
    client: EventHubProducerClient,
    group: Group,
    pending: PendingBatch[],
    rejections: Rejection[],
  ): Promise<void> {
    const create = (): Promise<EventDataBatch> =>
      this.withRetry('creating a batch', () => client.createBatch(group.options));
    let batch = await create();
    for (const item of group.items) {
      if (batch.tryAdd({ body: item.body })) continue;
      if (batch.count > 0) {
        pending.push({ batch });
        batch = await create();
        if (batch.tryAdd({ body: item.body })) continue;
      }
      rejections.push({
        index: item.index,
        reason: `event of ${item.body.byteLength} bytes does not fit in a ${batch.maxSizeInBytes}-byte Event Hubs batch`,
      });
    }
    if (batch.count > 0) pending.push({ batch });
  }

  private async sendBatch(client: EventHubProducerClient, pending: PendingBatch): Promise<void> {
    const { batch } = pending;
    if (this.limiter) {
      const waited = this.limiter.waitedMs;
      await this.limiter.take(batch.count, batch.sizeInBytes);
      this.totals.cappedWaitMs += this.limiter.waitedMs - waited;
    }
    await this.withRetry('sending a batch', () => client.sendBatch(batch));
    this.totals.batches++;
  }

  /**
   * Runs one SDK call under the one retrier. Throttling is the service asking to slow down, not a failure:
   * it gets its own, larger budget (THROTTLE_RETRIES); other transient failures get `retries`.
   */
  private withRetry<T>(doing: string, operation: () => Promise<T>): Promise<T> {
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
        },
      },
    );
  }
}
