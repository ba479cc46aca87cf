/** The Kafka backend: producer sink, exact-range source, lag probe and topic admin. Loaded lazily by the registries. */
export { KafkaSink } from './kafka-sink.js';
export { KafkaSource, kafkaProbe } from './kafka-source.js';
export { KafkaTopicAdmin } from './kafka-admin.js';
export { classifyKafkaError, toKafkaError } from './kafka-errors.js';
export { readLag as kafkaLag, type PartitionLag } from '../lag.js';
