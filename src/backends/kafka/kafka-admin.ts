import { loadKafkajs } from './kafkajs.js';
import type { KafkaConnection } from '../../config/kafka-config.js';
import { ExternalError } from '../../errors.js';
import { kafkajsConfig } from './kafka-clients.js';
import { toKafkaError } from './kafka-errors.js';

/** The slice of kafkajs' admin client brewline uses (kafkajs is loaded lazily). */
interface KafkajsAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: { topic: string; numPartitions: number; replicationFactor?: number }[];
    waitForLeaders?: boolean;
  }): Promise<boolean>;
  fetchTopicMetadata(options: { topics: string[] }): Promise<{
    topics: { name: string; partitions: { partitionId: number }[] }[];
  }>;
  createPartitions(options: { topicPartitions: { topic: string; count: number }[] }): Promise<boolean>;
  deleteTopicRecords(options: {
    topic: string;
    partitions: { partition: number; offset: string }[];
  }): Promise<void>;
}

/** Topic administration over kafkajs: create with partitions, count partitions, grow, delete records. */
export class KafkaTopicAdmin {
  private admin: KafkajsAdmin | undefined;
  constructor(private readonly connection: KafkaConnection) {}

  private get where(): string {
    return `topic "${this.connection.topic}" on ${this.connection.brokers.join(',')}`;
  }

  private async client(): Promise<KafkajsAdmin> {
    if (this.admin) return this.admin;
    const { Kafka, logLevel } = (await loadKafkajs()).default;
    const admin = new Kafka({
      ...kafkajsConfig(this.connection),
      logLevel: logLevel.NOTHING,
    } as ConstructorParameters<typeof Kafka>[0]).admin() as unknown as KafkajsAdmin;
    try {
      await admin.connect();
    } catch (error) {
      throw toKafkaError(error, 'connecting the admin client', this.where);
    }
    this.admin = admin;
    return admin;
  }

  /** Partition count of the topic, or undefined when it does not exist. */
  async partitionCount(topic = this.connection.topic): Promise<number | undefined> {
    const admin = await this.client();
    try {
      const topics = await admin.listTopics();
      if (!topics.includes(topic)) return undefined;
      const meta = await admin.fetchTopicMetadata({ topics: [topic] });
      return meta.topics.find((t) => t.name === topic)?.partitions.length;
    } catch (error) {
      throw toKafkaError(error, 'reading topic metadata', this.where);
    }
  }

  /** Creates the topic with `partitions` if missing; returns its partition count (existing topics keep theirs). */
  async ensureTopic(partitions: number, topic = this.connection.topic): Promise<number> {
    const existing = await this.partitionCount(topic);
    if (existing !== undefined) return existing;
    const admin = await this.client();
    try {
      await admin.createTopics({ topics: [{ topic, numPartitions: partitions }], waitForLeaders: true });
    } catch (error) {
      // Another process may have created it at the same moment.
      if (!/already exists/i.test(String((error as Error).message))) {
        throw toKafkaError(error, `creating the topic with ${partitions} partitions`, this.where);
      }
    }
    const count = await this.partitionCount(topic);
    if (count === undefined)
      throw new ExternalError(`the Kafka topic was created but is not visible (${this.where})`);
    return count;
  }

  /** Grows the topic to `count` partitions (Kafka can only add). */
  async addPartitions(count: number, topic = this.connection.topic): Promise<void> {
    const admin = await this.client();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count }] });
    } catch (error) {
      throw toKafkaError(error, `growing the topic to ${count} partitions`, this.where);
    }
  }

  /** Deletes records before `offset` in a partition, as retention would (tests of failOnDataLoss). */
  async deleteRecordsBefore(partition: number, offset: number, topic = this.connection.topic): Promise<void> {
    const admin = await this.client();
    try {
      // kafkajs looks the partition leaders up in its metadata cache: load it first.
      await admin.fetchTopicMetadata({ topics: [topic] });
      await admin.deleteTopicRecords({ topic, partitions: [{ partition, offset: String(offset) }] });
    } catch (error) {
      throw toKafkaError(
        error,
        `deleting records before offset ${offset} of partition ${partition}`,
        this.where,
      );
    }
  }

  async close(): Promise<void> {
    const admin = this.admin;
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }
}
