import { z } from 'zod';
import { positiveInt } from './fields.js';
import { eventHubsSourceConfigSchema } from './eventhubs-config.js';
import { kafkaSourceSchema } from './kafka-config.js';
import type { EnvBinding } from './load.js';

/** Where the pipeline reads orders from. One variant per backend kind; Kafka/Event Hubs add theirs. */
export const sourceConfigSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('bus'),
      /** @default 'orders' */
      name: z.string().min(1).default('orders'),
      /** @default 4 */
      partitions: positiveInt().default(4),
    })
    .strict(),
  z
    .object({
      kind: z.literal('file'),
      /** NDJSON file, read from byte offsets and tailed while it grows. */
      path: z.string({ error: 'the file source needs a path: --source file:PATH' }).min(1),
    })
    .strict(),
  eventHubsSourceConfigSchema,
  kafkaSourceSchema,
]);

export type SourceConfig = z.output<typeof sourceConfigSchema>;

/**
 * Parses the `--source` flag shorthand: `bus`, `bus:NAME`, `file:PATH` into the config subtree it sets. An
 * unknown kind is passed through as `{ kind }` so the schema reports it with the flag's name.
 */
export function sourceFromFlag(text: string): Record<string, unknown> {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? text : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  if (kind === 'file') return { kind, path: rest };
  if (kind === 'bus') return rest ? { kind, name: rest } : { kind };
  return { kind };
}

export const SOURCE_ENV: readonly EnvBinding[] = [{ env: 'BREWLINE_SOURCE', path: 'source.kind' }];
