import { z } from 'zod';
import type { EnvBinding } from './load.js';

/** Pipeline settings (first cut; the pipeline owns and extends this section). */
export const pipelineConfigSchema = z
  .object({
    /** @default '.brewline/lakehouse.duckdb' */
    lakehouse: z.string().min(1).default('.brewline/lakehouse.duckdb'),
  })
  .strict();

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;

export const PIPELINE_ENV: readonly EnvBinding[] = [
  { env: 'BREWLINE_LAKEHOUSE', path: 'pipeline.lakehouse' },
];
