import { z } from 'zod';
import { bool, positiveInt } from './fields.js';
import { eventHubsSinkConfigSchema } from './eventhubs-config.js';
import { kafkaSinkSchema } from './kafka-config.js';
import type { EnvBinding } from './load.js';

/**
 * Where the simulator sends orders. One variant per backend kind (discriminated on `kind`); Kafka and
 * Event Hubs add theirs here. Giving only a path (`--out o.ndjson`) means the file sink.
 */
export const sinkConfigSchema = z.preprocess(
  (v) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v) && !('kind' in v) && 'path' in v)
      return { kind: 'file', ...v };
    return v;
  },
  z.discriminatedUnion(
    'kind',
    [
      z.object({ kind: z.literal('stdout') }).strict(),
      z.object({ kind: z.literal('null') }).strict(),
      z
        .object({
          kind: z.literal('file'),
          /** NDJSON output file. */
          path: z.string({ error: 'the file sink needs --out PATH' }).min(1),
          /** Append instead of truncating. @default false */
          append: bool().default(false),
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
      eventHubsSinkConfigSchema,
      kafkaSinkSchema,
    ],
    { error: 'expected a sink kind: stdout, file, bus, kafka, eventhubs or null' },
  ),
);

export type SinkConfig = z.output<typeof sinkConfigSchema>;

export const SINK_ENV: readonly EnvBinding[] = [
  { env: 'BREWLINE_SINK', path: 'sink.kind' },
  { env: 'BREWLINE_OUT', path: 'sink.path' },
];
