/**
 * Azure Event Hubs over AMQP: the producer sink, the pipeline source and the lag probe. Loaded by the
 * registries with a dynamic import, so `@azure/event-hubs` is only imported when Event Hubs is used.
 */
export { EventHubsSink, type EventHubsSinkOptions, type EventHubsSinkTotals } from './producer-sink.js';
export { EventHubsLagProbe, EventHubsSource, type EventHubsSourceOptions } from './source.js';
export {
  parseEventHubsConnectionString,
  parseNamespace,
  resolveEventHubsTarget,
  type EventHubsTarget,
} from './connection.js';
export {
  EventHubsCheckpointReader,
  checkpointsToOffsets,
  resolveCheckpointStore,
  type CheckpointStoreTarget,
} from './checkpoint-store.js';
export { ThroughputLimiter } from './throughput-limiter.js';
