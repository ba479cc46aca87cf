import type { Command } from 'commander';
import type { FlagValue } from '../config/load.js';
import { EVENTHUBS_FLAG_HELP, EVENTHUBS_SOURCE_FLAGS } from '../config/eventhubs-config.js';
import { KAFKA_FLAG_HELP, KAFKA_SOURCE_FLAGS } from '../config/kafka-config.js';
import { sourceFromFlag } from '../config/source-config.js';
import { flagValues } from './shared.js';

/** The flags that choose and configure a source, shared by every command that reads one. */
export function addSourceOptions(command: Command): Command {
  return command
    .option(
      '--source <bus|file:PATH|kafka|eventhubs>',
      'where orders come from: bus[:NAME], file:PATH, kafka or eventhubs (env BREWLINE_SOURCE)',
    )
    .option('--hub <name>', EVENTHUBS_FLAG_HELP.hub)
    .option('--namespace <host>', EVENTHUBS_FLAG_HELP.namespace)
    .option('--consumer-group <name>', EVENTHUBS_FLAG_HELP.consumerGroup)
    .option('--brokers <list>', KAFKA_FLAG_HELP['--brokers <list>'])
    .option('--topic <name>', KAFKA_FLAG_HELP['--topic <name>'])
    .option('--client-id <id>', KAFKA_FLAG_HELP['--client-id <id>'])
    .option('--group <id>', KAFKA_FLAG_HELP['--group <id>'])
    .option('--fail-on-data-loss <bool>', KAFKA_FLAG_HELP['--fail-on-data-loss <bool>']);
}

/**
 * Config overrides for the source flags the user passed. `--source` sets fields (`source.kind`, and the path
 * or bus name it carries), not the section: the config file's other source settings (brokers, TLS, SASL, a
 * connection string) stay unless the kind changes.
 */
export function sourceFlagValues(command: Command): FlagValue[] {
  const flags: FlagValue[] = [];
  const source = command.opts<{ source?: string }>().source;
  if (source !== undefined) {
    for (const [field, value] of Object.entries(sourceFromFlag(source))) {
      flags.push({ path: `source.${field}`, flag: '--source', value });
    }
  }
  flags.push(...flagValues(command, EVENTHUBS_SOURCE_FLAGS));
  flags.push(...flagValues(command, KAFKA_SOURCE_FLAGS));
  return flags;
}
