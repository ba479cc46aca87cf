import type { Writable } from 'node:stream';
import type { SinkConfig } from '../config/sink-config.js';
import { BugError } from '../errors.js';
import type { Sink } from './types.js';

/** Process streams a sink may write to; tests pass their own. */
export interface SinkIo {
  /** @default process.stdout */
  stdout?: Writable;
}

/**
 * The sink registry: one case per backend kind, each loaded with a dynamic import so a run only loads the
 * backend (and SDK) it uses. Kafka and Event Hubs add their cases here.
 */
export async function createSink(config: SinkConfig, io: SinkIo = {}): Promise<Sink> {
  switch (config.kind) {
    case 'stdout': {
      const { StdoutSink } = await import('./stdout/stdout-sink.js');
      return new StdoutSink(io.stdout ?? process.stdout);
    }
    case 'file': {
      const { FileSink } = await import('./file/file-sink.js');
      return new FileSink({ path: config.path, append: config.append });
    }
    case 'null': {
      const { NullSink } = await import('./null/null-sink.js');
      return new NullSink();
    }
    case 'bus': {
      const { BusSink } = await import('./bus/index.js');
      return new BusSink({ name: config.name, partitions: config.partitions });
    }
    case 'kafka': {
      const { KafkaSink } = await import('./kafka/index.js');
      return new KafkaSink(config);
    }
    case 'eventhubs': {
      const { EventHubsSink } = await import('./eventhubs/index.js');
      return new EventHubsSink(config);
    }
    default: {
      const unknown: never = config;
      throw new BugError(`no sink registered for kind ${JSON.stringify((unknown as { kind: string }).kind)}`);
    }
  }
}
