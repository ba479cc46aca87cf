import { afterAll, beforeAll } from 'vitest';
import { startKafkaBroker, stopKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';

export type { KafkaBroker };
export { startKafkaBroker, stopKafkaBroker };

const running = new Set<KafkaBroker>();
// A crashed or interrupted test run must not leave a JVM behind.
process.once('exit', () => {
  for (const broker of running) {
    try {
      process.kill(broker.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
});

/** Starts a broker for tests; `stop` must be called (useKafkaBroker does it in afterAll). */
export async function startTestBroker(): Promise<KafkaBroker & { stop(): Promise<void> }> {
  const broker = await startKafkaBroker({ heapMb: 512, timeoutMs: 120_000, quiet: true });
  running.add(broker);
  return {
    ...broker,
    stop: async () => {
      await stopKafkaBroker(broker);
      running.delete(broker);
    },
  };
}

/**
 * One real broker per test file: started in beforeAll (fetching Kafka with Maven on first use), stopped in
 * afterAll. Files run in separate workers, so each owns its broker; start-up takes a few seconds.
 */
export function useKafkaBroker(): { readonly bootstrap: string; readonly broker: KafkaBroker } {
  let broker: (KafkaBroker & { stop(): Promise<void> }) | undefined;
  beforeAll(async () => {
    broker = await startTestBroker();
  }, 240_000);
  afterAll(async () => {
    await broker?.stop();
  }, 60_000);
  return {
    get bootstrap() {
      if (!broker) throw new Error('the Kafka broker is not started yet (use it inside tests or hooks)');
      return broker.bootstrap;
    },
    get broker() {
      if (!broker) throw new Error('the Kafka broker is not started yet');
      return broker;
    },
  };
}
