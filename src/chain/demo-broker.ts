import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../backends/spark/python-env.js';
import { ConfigError } from '../errors.js';

export interface DemoBroker {
  /** `127.0.0.1:PORT` */
  readonly address: string;
  stop(): Promise<void>;
}

interface BrokerModule {
  startKafkaBroker(options: {
    quiet?: boolean;
    heapMb?: number;
    timeoutMs?: number;
    ignoreTerminalSignals?: boolean;
  }): Promise<{
    readonly pid: number;
    readonly bootstrap: string;
  }>;
  stopKafkaBroker(broker: unknown): Promise<void>;
}

/**
 * A single-node Apache Kafka broker for `demo --engine spark` when the user gives none: the repository's
 * scripts/kafka/broker.mjs (Kafka from Maven Central, loopback, free ports, bounded waits). Stopped and its
 * data removed when the demo ends.
 */
export async function startDemoBroker(): Promise<DemoBroker> {
  const script = join(packageRoot(), 'scripts', 'kafka', 'broker.mjs');
  if (!existsSync(script)) {
    throw new ConfigError('--engine spark needs a Kafka broker', {
      hint: 'pass --brokers HOST:PORT (e.g. from `npm run kafka:start`)',
    });
  }
  process.stderr.write('brewline demo: starting a local Kafka broker (pass --brokers to use yours)\n');
  const mod = (await import(script)) as BrokerModule;
  const broker = await mod.startKafkaBroker({
    quiet: true,
    heapMb: 512,
    timeoutMs: 120_000,
    // A Ctrl+C reaches the whole process group: the demo stops its broker last, after the pipeline.
    ignoreTerminalSignals: true,
  });
  const address = broker.bootstrap;
  const kill = (): void => {
    try {
      process.kill(broker.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  process.once('exit', kill);
  return {
    address,
    stop: async () => {
      process.off('exit', kill);
      await mod.stopKafkaBroker(broker);
    },
  };
}
