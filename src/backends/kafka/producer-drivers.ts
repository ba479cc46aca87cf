import { loadKafkajs } from './kafkajs.js';
import type { KafkaConnection, KafkaProducerClient } from '../../config/kafka-config.js';
import { kafkajsConfig, platformaticBaseOptions } from './kafka-clients.js';
import { loadPlatformaticKafka } from './platformatic.js';

/** One record ready to produce: the sink has already chosen its partition. */
export interface ProduceRecord {
  readonly key: string;
  readonly value: string | Uint8Array;
  readonly partition: number;
  readonly timestampMs: number | undefined;
}

export interface ProducerSettings {
  readonly acks: -1 | 0 | 1;
  readonly compression: 'none' | 'gzip';
  readonly idempotent: boolean;
}

/**
 * The small surface the Kafka sink needs from a client library: one produce request per call, resolved when
 * the broker acknowledged every record of it (per `acks`), rejected otherwise. Two implementations, measured
 * against each other by bench:kafka.
 */
export interface ProducerDriver {
  readonly client: KafkaProducerClient;
  connect(): Promise<void>;
  produce(topic: string, records: readonly ProduceRecord[]): Promise<void>;
  close(): Promise<void>;
}

function toBuffer(value: string | Uint8Array): Buffer {
  return typeof value === 'string'
    ? Buffer.from(value)
    : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
}

interface KafkajsProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  send(request: {
    topic: string;
    acks: number;
    compression?: number;
    messages: { key: string; value: Buffer | string; partition: number; timestamp?: string }[];
  }): Promise<unknown>;
}

class KafkajsDriver implements ProducerDriver {
  readonly client = 'kafkajs' as const;
  private producer: KafkajsProducer | undefined;
  private compressionCode: number | undefined;
  constructor(
    private readonly connection: KafkaConnection,
    private readonly settings: ProducerSettings,
  ) {}

  async connect(): Promise<void> {
    const { Kafka, logLevel, CompressionTypes } = (await loadKafkajs()).default;
    const kafka = new Kafka({
      ...kafkajsConfig(this.connection),
      logLevel: logLevel.NOTHING,
    } as ConstructorParameters<typeof Kafka>[0]);
    this.compressionCode =
      this.settings.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
    // kafkajs' idempotent producer keeps ordering only with one request in flight per connection.
    const producer = kafka.producer({
      idempotent: this.settings.idempotent,
      allowAutoTopicCreation: false,
      ...(this.settings.idempotent ? { maxInFlightRequests: 1 } : {}),
    }) as unknown as KafkajsProducer;
    await producer.connect();
    this.producer = producer;
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<void> {
    if (!this.producer) throw new Error('producer not connected');
    await this.producer.send({
      topic,
      acks: this.settings.acks,
      ...(this.compressionCode !== undefined ? { compression: this.compressionCode } : {}),
      messages: records.map((r) => ({
        key: r.key,
        value: typeof r.value === 'string' ? r.value : toBuffer(r.value),
        partition: r.partition,
        ...(r.timestampMs !== undefined ? { timestamp: String(r.timestampMs) } : {}),
      })),
    });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.disconnect().catch(() => undefined);
  }
}

interface PlatformaticProducer {
  send(options: {
    messages: { topic: string; key: Buffer; value: Buffer; partition: number; timestamp?: bigint }[];
  }): Promise<unknown>;
  close(): Promise<void>;
}

class PlatformaticDriver implements ProducerDriver {
  readonly client = 'platformatic' as const;
  private producer: PlatformaticProducer | undefined;
  constructor(
    private readonly connection: KafkaConnection,
    private readonly settings: ProducerSettings,
  ) {}

  async connect(): Promise<void> {
    const { Producer } = await loadPlatformaticKafka();
    this.producer = new Producer({
      ...platformaticBaseOptions(this.connection),
      idempotent: this.settings.idempotent,
      acks: this.settings.acks,
      compression: this.settings.compression,
      autocreateTopics: false,
    }) as unknown as PlatformaticProducer;
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<void> {
    if (!this.producer) throw new Error('producer not connected');
    await this.producer.send({
      messages: records.map((r) => ({
        topic,
        key: Buffer.from(r.key),
        value: toBuffer(r.value),
        partition: r.partition,
        ...(r.timestampMs !== undefined ? { timestamp: BigInt(r.timestampMs) } : {}),
      })),
    });
  }

  async close(): Promise<void> {
    const producer = this.producer;
    this.producer = undefined;
    await producer?.close().catch(() => undefined);
  }
}

export function createProducerDriver(
  client: KafkaProducerClient,
  connection: KafkaConnection,
  settings: ProducerSettings,
): ProducerDriver {
  return client === 'kafkajs'
    ? new KafkajsDriver(connection, settings)
    : new PlatformaticDriver(connection, settings);
}
