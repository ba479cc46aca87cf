import {
  describeKafkaConnection,
  resolveKafkaConnection,
  type KafkaConnection,
  type KafkaSinkConfig,
} from '../../config/kafka-config.js';
import { ExternalError } from '../../errors.js';
import { retry } from '../../retry.js';
import { partitionForKey } from '../partitioner.js';
import type { OutgoingMessage, Rejection, SendReceipt, Sink, SinkCapabilities } from '../types.js';
import { KafkaTopicAdmin } from './kafka-admin.js';
import { classifyKafkaError, producerStateLost, toKafkaError } from './kafka-errors.js';
import { createProducerDriver, type ProduceRecord, type ProducerDriver } from './producer-drivers.js';

/** What one `send` call waits for: its records, and how its produce request(s) went. */
interface PendingSend {
  readonly records: ProduceRecord[];
  remaining: number;
  retries: number;
  failed: boolean;
  readonly resolve: (outcome: { retries: number }) => void;
  readonly reject: (error: unknown) => void;
}

/** A slice of one pending send placed into a produce request. */
interface Slice {
  readonly send: PendingSend;
  readonly records: ProduceRecord[];
}

function byteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

/**
 * The simulator's Kafka producer (Sink seam). Messages of concurrent `send` calls are gathered for up to
 * `lingerMs` or `batchSize` messages into one produce request; at most `maxInFlight` requests are on the wire
 * (one with the idempotent producer, which keeps per-partition order and de-duplicates its own retries).
 * The caller's window (`capabilities.maxInFlight` sends) bounds memory: the generator waits, nothing
 * buffers without limit. Failed requests are retried with backoff (src/retry.ts); an idempotent producer is
 * recreated first, so a lost request can never leave a sequence gap behind.
 */
export class KafkaSink implements Sink {
  readonly kind = 'kafka';
  readonly description: string;
  readonly capabilities: SinkCapabilities;
  readonly connection: KafkaConnection;
  private readonly config: KafkaSinkConfig;
  private readonly admin: KafkaTopicAdmin;
  private driver: ProducerDriver | undefined;
  private partitions = 0;
  private pending: PendingSend[] = [];
  private pendingCount = 0;
  private lingerTimer: NodeJS.Timeout | undefined;
  private readonly requestQueue: Slice[][] = [];
  private requestsInFlight = 0;
  private readonly idle = new Set<() => void>();
  private closed = false;

  constructor(config: KafkaSinkConfig, env: NodeJS.ProcessEnv = process.env) {
    this.config = config;
    this.connection = resolveKafkaConnection(config, env);
    this.description = describeKafkaConnection(this.connection);
    this.admin = new KafkaTopicAdmin(this.connection);
    this.capabilities = {
      maxMessageBytes: config.maxMessageBytes,
      maxInFlight: config.maxInFlight,
      preferredBatchSize: Math.min(config.batchSize, 1000),
      durable: true,
    };
  }

  private get where(): string {
    return `topic "${this.connection.topic}" on ${this.connection.brokers.join(',')}`;
  }

  private get requestConcurrency(): number {
    return this.config.idempotent ? 1 : this.config.maxInFlight;
  }

  /** Partition count the sink hashes keys over (read at open, refreshed after failures). */
  get partitionCount(): number {
    return this.partitions;
  }

  async open(): Promise<void> {
    if (this.config.idempotent && this.config.acks !== -1) {
      throw new ExternalError('the idempotent Kafka producer needs acks=all', {
        hint: 'pass --acks all, or set sink.idempotent: false',
      });
    }
    const create = this.config.createTopic ?? !this.connection.eventHubs;
    await retry(
      async () => {
        const count = create
          ? await this.admin.ensureTopic(this.config.partitions)
          : await this.admin.partitionCount();
        if (count === undefined) {
          throw new ExternalError(`the Kafka topic does not exist (${this.where})`, {
            hint: 'create it, or let the sink create it (createTopic: true, --partitions N)',
          });
        }
        this.partitions = count;
      },
      { retries: 3, initialDelayMs: 250, maxDelayMs: 2000 },
    );
    this.driver = await this.connectDriver();
  }

  private async connectDriver(): Promise<ProducerDriver> {
    const driver = createProducerDriver(this.config.client, this.connection, {
      acks: this.config.acks,
      compression: this.connection.eventHubs ? 'none' : this.config.compression,
      idempotent: this.config.idempotent,
    });
    try {
      await driver.connect();
    } catch (error) {
      await driver.close();
      throw toKafkaError(error, 'connecting the producer', this.where);
    }
    return driver;
  }

  send(batch: readonly OutgoingMessage[]): Promise<SendReceipt> {
    const started = performance.now();
    if (this.closed || !this.driver) return Promise.reject(new Error('the Kafka sink is not open'));
    const rejections: Rejection[] = [];
    const records: ProduceRecord[] = [];
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      const size = byteLength(m.value) + Buffer.byteLength(m.key);
      if (size > this.config.maxMessageBytes) {
        rejections.push({
          index: i,
          reason: `message of ${size} bytes exceeds the ${this.config.maxMessageBytes}-byte limit`,
        });
        continue;
      }
      if (m.partition !== undefined && (m.partition < 0 || m.partition >= this.partitions)) {
        rejections.push({
          index: i,
          reason: `partition ${m.partition} does not exist (topic has ${this.partitions})`,
        });
        continue;
      }
      records.push({
        key: m.key,
        value: m.value,
        partition: m.partition ?? partitionForKey(m.key, this.partitions),
        timestampMs: m.timestampMs,
      });
    }
    const receipt = (retries: number): SendReceipt => ({
      acked: records.length,
      rejections,
      latencyMs: performance.now() - started,
      throttled: 0,
      retries,
    });
    if (records.length === 0) return Promise.resolve(receipt(0));
    return new Promise<{ retries: number }>((resolve, reject) => {
      this.pending.push({ records, remaining: 0, retries: 0, failed: false, resolve, reject });
      this.pendingCount += records.length;
      if (this.pendingCount >= this.config.batchSize || this.config.lingerMs === 0) this.dispatch();
      else this.lingerTimer ??= setTimeout(() => this.dispatch(), this.config.lingerMs);
    }).then((outcome) => receipt(outcome.retries));
  }

  /** Cuts the gathered sends into produce requests of at most `batchSize` messages and queues them. */
  private dispatch(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer);
    this.lingerTimer = undefined;
    const sends = this.pending;
    this.pending = [];
    this.pendingCount = 0;
    let request: Slice[] = [];
    let size = 0;
    for (const send of sends) {
      let offset = 0;
      while (offset < send.records.length) {
        const take = Math.min(this.config.batchSize - size, send.records.length - offset);
        request.push({ send, records: send.records.slice(offset, offset + take) });
        send.remaining++;
        offset += take;
        size += take;
        if (size >= this.config.batchSize) {
          this.requestQueue.push(request);
          request = [];
          size = 0;
        }
      }
    }
    if (request.length > 0) this.requestQueue.push(request);
    this.pump();
  }

  private pump(): void {
    while (this.requestsInFlight < this.requestConcurrency && this.requestQueue.length > 0) {
      const request = this.requestQueue.shift()!;
      this.requestsInFlight++;
      void this.produce(request).finally(() => {
        this.requestsInFlight--;
        this.pump();
        if (this.requestsInFlight === 0 && this.requestQueue.length === 0) {
          for (const wake of [...this.idle]) wake();
        }
      });
    }
  }

  private async produce(request: Slice[]): Promise<void> {
    const records = request.length === 1 ? request[0]!.records : request.flatMap((s) => s.records);
    let retries = 0;
    // What a retry still has to send: partitions the broker acknowledged are not sent again.
    let pending = records;
    let freshProducer = false;
    try {
      await retry(
        async (attempt) => {
          if (attempt > 0 && this.config.idempotent && (freshProducer || this.driver?.client === 'kafkajs')) {
            // The broker no longer accepts this producer's sequence numbers (or, with kafkajs, a failed request
            // may have consumed some): a fresh producer id starts clean. Otherwise the retry goes through the
            // same producer with the same sequence numbers, so a batch the broker stored before its answer was
            // lost (a broker restart) is recognised as a duplicate instead of being written twice.
            freshProducer = false;
            await this.driver?.close();
            this.driver = await this.connectDriver();
          }
          if (!this.driver) throw new Error('the Kafka sink was closed');
          try {
            await this.driver.produce(this.connection.topic, pending);
          } catch (error) {
            const acknowledged = acknowledgedPartitions(error);
            if (acknowledged.size > 0) pending = pending.filter((r) => !acknowledged.has(r.partition));
            freshProducer = producerStateLost(error);
            throw toKafkaError(error, `sending ${pending.length} messages`, this.where);
          }
        },
        {
          retries: this.config.retries,
          initialDelayMs: 200,
          maxDelayMs: 5000,
          isRetriable: (error) =>
            !this.closed &&
            ((error as { retriable?: boolean }).retriable ?? classifyKafkaError(error).retriable),
          onRetry: () => {
            retries++;
          },
        },
      );
    } catch (error) {
      for (const { send } of request) {
        if (send.failed) continue;
        send.failed = true;
        send.reject(error);
      }
      return;
    }
    for (const { send } of request) {
      send.retries = Math.max(send.retries, retries);
      send.remaining--;
      if (send.remaining === 0 && !send.failed) send.resolve({ retries: send.retries });
    }
  }

  async flush(): Promise<void> {
    if (this.pending.length > 0) this.dispatch();
    if (this.requestsInFlight === 0 && this.requestQueue.length === 0) return;
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        this.idle.delete(wake);
        resolve();
      };
      this.idle.add(wake);
    });
  }

  async close(): Promise<void> {
    if (this.driver) await this.flush();
    this.closed = true;
    await this.driver?.close();
    this.driver = undefined;
    await this.admin.close();
  }
}

/**
 * Partitions a failed produce request was nevertheless acknowledged for (@platformatic/kafka reports them in
 * `error.produced.offsets`, and has advanced their sequence numbers): a retry must not send them again.
 */
function acknowledgedPartitions(error: unknown): Set<number> {
  const offsets = (error as { produced?: { offsets?: { partition?: unknown }[] } } | null)?.produced?.offsets;
  const out = new Set<number>();
  for (const o of offsets ?? []) if (typeof o.partition === 'number') out.add(o.partition);
  return out;
}
