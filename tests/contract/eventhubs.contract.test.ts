import { EventHubsSink, EventHubsSource } from '../../src/backends/eventhubs/index.js';
import { eventHubsSinkConfigSchema, eventHubsSourceConfigSchema } from '../../src/config/eventhubs-config.js';
import { EventHubsTestServer } from '../fakes/eventhubs-server.js';
import { testBackendContract } from './backend-contract.js';

// Azure Event Hubs through the real SDK, against the protocol-level AMQP test server (a fresh hub per test).
testBackendContract('Azure Event Hubs (AMQP test server)', async (partitions) => {
  const server = await EventHubsTestServer.start({ hubs: { orders: partitions } });
  const env = { EVENTHUB_CONNECTION_STRING: server.connectionString('orders') };
  const sink = new EventHubsSink(eventHubsSinkConfigSchema.parse({ kind: 'eventhubs' }), { env });
  const source = new EventHubsSource(eventHubsSourceConfigSchema.parse({ kind: 'eventhubs' }), {
    env,
    readTimeoutMs: 10_000,
  });
  await sink.open();
  await source.open();
  return {
    sink,
    source,
    partitions,
    async expireOldest(partition) {
      server.expire('orders', partition, 1);
    },
    async close() {
      await sink.close();
      await source.close();
      await server.stop();
    },
  };
});
