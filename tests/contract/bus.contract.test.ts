import { randomUUID } from 'node:crypto';
import { BusSink, BusSource, dropBus, getBus } from '../../src/backends/bus/index.js';
import { testBackendContract } from './backend-contract.js';

// Small retention so a test can make the bus trim its oldest messages, as a topic's retention would.
const RETAIN = 500;

testBackendContract('in-process bus', async (partitions) => {
  const name = `contract-${randomUUID()}`;
  const sink = new BusSink({ name, partitions, retainPerPartition: RETAIN });
  const source = new BusSource({ name });
  await sink.open();
  await source.open();
  return {
    sink,
    source,
    partitions,
    async expireOldest(partition) {
      const bus = getBus(name);
      // Appending past 1.25 × retention makes the bus drop the oldest messages of that partition.
      while ((bus.positions()[partition]?.earliest ?? 0) === 0)
        bus.append('filler', '{}', Date.now(), partition);
    },
    async close() {
      await sink.close();
      await source.close();
      dropBus(name);
    },
  };
});
