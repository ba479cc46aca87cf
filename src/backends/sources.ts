import type { SourceConfig } from '../config/source-config.js';
import type { Source } from './types.js';

/**
 * The lazy source registry: each kind's module (and its SDK) is imported only when that kind is used, so a
 * bus or file pipeline starts without loading a broker client.
 */
export async function createSource(config: SourceConfig): Promise<Source> {
  switch (config.kind) {
    case 'bus': {
      const { BusSource } = await import('./bus/index.js');
      return new BusSource({ name: config.name, partitions: config.partitions });
    }
    case 'file': {
      const { FileSource } = await import('./file/file-source.js');
      return new FileSource({ path: config.path });
    }
    case 'kafka': {
      const { KafkaSource } = await import('./kafka/index.js');
      return new KafkaSource(config);
    }
    case 'eventhubs': {
      const { EventHubsSource } = await import('./eventhubs/index.js');
      return new EventHubsSource(config);
    }
  }
}
