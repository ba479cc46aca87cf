import { randomUUID } from 'node:crypto';
import { KafkaSink, KafkaSource, KafkaTopicAdmin } from '../../src/backends/kafka/index.js';
import { kafkaSinkSchema, kafkaSourceSchema } from '../../src/config/kafka-config.js';
import { useKafkaBroker } from '../helpers/kafka-broker.js';
import { testBackendContract, type BackendHarness } from './backend-contract.js';

const kafka = useKafkaBroker();
const env = {}; // no KAFKA_* from the developer's shell

testBackendContract(
  'Kafka (real broker)',
  async (partitions): Promise<BackendHarness & { group: string }> => {
    const topic = `contract-${randomUUID()}`;
    const group = `group-${topic}`;
    const sink = new KafkaSink(
      kafkaSinkSchema.parse({ kind: 'kafka', brokers: kafka.bootstrap, topic, partitions, lingerMs: 2 }),
      env,
    );
    const source = new KafkaSource(
      kafkaSourceSchema.parse({ kind: 'kafka', brokers: kafka.bootstrap, topic, group, pollIntervalMs: 50 }),
      env,
    );
    await sink.open();
    await source.open();
    const admin = new KafkaTopicAdmin(sink.connection);
    return {
      sink,
      source,
      partitions,
      group,
      async expireOldest(partition) {
        const latest = (await source.positions()).find((p) => p.partition === partition)!.latest;
        await admin.deleteRecordsBefore(partition, latest - 1);
      },
      async close() {
        await sink.close();
        await source.close();
        await admin.close();
      },
    };
  },
);
