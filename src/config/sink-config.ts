import { z } from 'zod';
import { positiveInt } from './fields.js';
import type { EnvBinding } from './load.js';

/** Where the simulator sends orders. One variant per backend kind (discriminated on `kind`). */
export const sinkConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('stdout') }).strict(),
  z.object({ kind: z.literal('null') }).strict(),
  z
    .object({
      kind: z.literal('file'),
      /** NDJSON output file. */
      path: z.string({ error: 'the file sink needs --out PATH' }).min(1),
      /** Append instead of truncating. @default false */
      append: z.boolean().default(false),
    })
    .strict(),
  z
    .object({
      kind: z.literal('bus'),
      /** @default 'orders' */
      name: z.string().min(1).default('orders'),
      /** @default 4 */
      partitions: positiveInt().default(4),
    })
    .strict(),
]);

export type SinkConfig = z.output<typeof sinkConfigSchema>;

export const SINK_ENV: readonly EnvBinding[] = [
  { env: 'BREWLINE_SINK', path: 'sink.kind' },
  { env: 'BREWLINE_OUT', path: 'sink.path' },
];
