import { z } from 'zod';
import { HOUR_MS, MINUTE_MS, type WindowSpec } from '../domain/time.js';
import { bool, byteSize, durationMs, positiveInt } from './fields.js';
import type { EnvBinding } from './load.js';

/** Spark has no default maxBytesPerTrigger; 64 MiB keeps a batch of 1 MiB events far from V8's string limit. */
export const DEFAULT_MAX_BYTES_PER_BATCH = 64 * 1024 * 1024;

/** How gold emits aggregates (SEMANTICS.md "Output modes"). */
export const OUTPUT_MODES = ['complete', 'update'] as const;
export type OutputMode = (typeof OUTPUT_MODES)[number];

/** Pipeline settings: where the lakehouse and checkpoint live, triggers, and the gold window spec. */
export const pipelineConfigSchema = z
  .object({
    /** The embedded lakehouse (one DuckDB file). @default '.brewline/lakehouse.duckdb' */
    lakehouse: z.string().min(1).default('.brewline/lakehouse.duckdb'),
    /** Checkpoint directory (offsets/, commits/, metadata). @default '.brewline/checkpoint' */
    checkpoint: z.string().min(1).default('.brewline/checkpoint'),
    /** Name of the streaming query: keys its batches in ops tables. @default 'orders' */
    queryName: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'expected letters, digits, dot, dash or underscore')
      .default('orders'),
    /** Fixed-interval trigger: a micro-batch starts every `trigger` ms (immediately if the last one ran long). @default 1000 */
    trigger: durationMs().default(1000),
    /** Process everything available at start in bounded batches, then stop. @default false */
    availableNow: bool().default(false),
    /** Upper bound of records per micro-batch (Spark's maxOffsetsPerTrigger). @default 50_000 */
    maxRecordsPerBatch: positiveInt().default(50_000),
    /**
     * Upper bound of a micro-batch's bytes (Spark's maxBytesPerTrigger): exact for a file source, from the
     * last batch's average record size for Kafka and Event Hubs; a single larger record still moves.
     * "64MiB", "512k" or a number of bytes. @default 67_108_864 (64 MiB)
     */
    maxBytesPerBatch: byteSize().default(DEFAULT_MAX_BYTES_PER_BATCH),
    /** complete (default, as the chain's original pipeline) or update. @default 'complete' */
    outputMode: z.enum(OUTPUT_MODES, { error: 'expected complete or update' }).default('complete'),
    /** Gold window length (tumbling). @default 3_600_000 (1 h) */
    windowDurationMs: durationMs()
      .refine((v) => v > 0, 'expected a duration above 0')
      .default(HOUR_MS),
    /** Window start offset from the UTC epoch (Spark's startTime). @default 900_000 (15 min: Nepal hours) */
    windowOffsetMs: durationMs().default(15 * MINUTE_MS),
    /** Watermark delay. @default 600_000 (10 min) */
    watermarkDelayMs: durationMs().default(10 * MINUTE_MS),
    /**
     * Where a new query starts reading (Spark's startingOffsets; only for a new checkpoint): everything the
     * source holds, or only what arrives from now on. @default 'earliest'
     */
    startingOffsets: z
      .enum(['earliest', 'latest'], { error: 'expected earliest or latest' })
      .default('earliest'),
    /**
     * Spark's `spark.sql.streaming.statefulOperator.allowMultiple` (update mode): true filters late rows in
     * batch N with the watermark of batch N−1 and evicts with wm(N), as Spark ≥ 3.4 does by default; false
     * filters with wm(N). Unset: a new checkpoint gets true, an existing one keeps what it recorded.
     * @default true
     */
    statefulOperatorAllowMultiple: bool().optional(),
    /**
     * DuckDB's memory limit for the embedded lakehouse, e.g. "1GB" or "512MiB" (it spills to disk beyond).
     * @default a quarter of RAM within 256 MiB–2 GiB
     */
    memoryLimit: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'expected a size like 512MiB or 1GB')
      .optional(),
    /** Spark's `spark.sql.streaming.noDataMicroBatches.enabled`: empty batches that evict state. @default true */
    noDataMicroBatches: bool().default(true),
  })
  .strict()
  .refine((c) => c.windowOffsetMs < c.windowDurationMs, {
    message: 'windowOffsetMs must be smaller than windowDurationMs',
    path: ['windowOffsetMs'],
  });

export type PipelineConfig = z.output<typeof pipelineConfigSchema>;

export const PIPELINE_ENV: readonly EnvBinding[] = [
  { env: 'BREWLINE_LAKEHOUSE', path: 'pipeline.lakehouse' },
  { env: 'BREWLINE_CHECKPOINT', path: 'pipeline.checkpoint' },
  { env: 'BREWLINE_OUTPUT_MODE', path: 'pipeline.outputMode' },
];

/** The engine settings a pipeline config decides (everything but source, lakehouse, checkpoint and trigger). */
export function querySettings(p: PipelineConfig): {
  queryName: string;
  maxRecordsPerBatch: number;
  maxBytesPerBatch: number;
  outputMode: OutputMode;
  window: WindowSpec;
  watermarkDelayMs: number;
  startingOffsets: 'earliest' | 'latest';
  statefulOperatorAllowMultiple?: boolean;
  noDataMicroBatches: boolean;
} {
  return {
    queryName: p.queryName,
    maxRecordsPerBatch: p.maxRecordsPerBatch,
    maxBytesPerBatch: p.maxBytesPerBatch,
    outputMode: p.outputMode,
    window: { durationMs: p.windowDurationMs, slideMs: p.windowDurationMs, startOffsetMs: p.windowOffsetMs },
    watermarkDelayMs: p.watermarkDelayMs,
    startingOffsets: p.startingOffsets,
    ...(p.statefulOperatorAllowMultiple === undefined
      ? {}
      : { statefulOperatorAllowMultiple: p.statefulOperatorAllowMultiple }),
    noDataMicroBatches: p.noDataMicroBatches,
  };
}
