import { z } from 'zod';
import { positiveInt } from './fields.js';
import type { EnvBinding } from './load.js';

/** Where the pipeline reads orders from. */
export const sourceConfigSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('bus'),
      name: z.string().min(1).default('orders'),
      partitions: positiveInt().default(4),
    })
    .strict(),
  z
    .object({
      kind: z.literal('file'),
      /** NDJSON file, read from byte offsets and tailed while it grows. */
      path: z.string().min(1),
    })
    .strict(),
]);

export type SourceConfig = z.output<typeof sourceConfigSchema>;

export const SOURCE_ENV: readonly EnvBinding[] = [{ env: 'BREWLINE_SOURCE', path: 'source.kind' }];
