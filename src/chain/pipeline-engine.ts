import type { LakehouseReader } from '../backends/types.js';
import type { EngineStore } from '../pipeline/progress-types.js';

/** The engines `pipeline run --engine` and `demo --engine` choose from (PLAN interface 5). */
export type EngineKind = 'embedded' | 'spark' | 'databricks';

export const ENGINE_KINDS: readonly EngineKind[] = ['embedded', 'spark', 'databricks'];

/**
 * One running medallion pipeline, whatever computes it: the in-process DuckDB engine, a local Spark job
 * brewline supervises, or a Databricks job it follows. The chain (simulator, monitor model, status endpoint,
 * progress lines, drain and shutdown) talks to an engine only through this seam and the `EngineStore` events
 * and snapshot every engine emits in the shape of Spark's StreamingQueryProgress.
 */
export interface PipelineEngine extends EngineStore {
  readonly kind: EngineKind;
  /** Where the engine writes, safe to print (e.g. `DuckDB lakehouse /abs/x.duckdb`, `Delta lakehouse /abs/dir`). */
  readonly description: string;
  /** Prepares what the engine writes (creates the lakehouse), so `reader()` works before the first batch. */
  open(): Promise<void>;
  /** Runs until `stop()` (or, for available-now, until the data available at start is processed); rejects when the engine fails. */
  run(): Promise<void>;
  /** Asks the engine to stop after the batch in progress; `run()` resolves once it has. */
  stop(): void;
  /** A read-only view of the engine's tables for gold panels and the status endpoint; closed by `close()`. */
  reader(): Promise<LakehouseReader>;
  /** Releases the lakehouse and every reader it handed out. Call after `run()` settled. */
  close(): Promise<void>;
}

/** True once every partition the probe reports is processed up to its latest offset. */
export function caughtUp(
  positions: readonly { partition: number; latest: number }[],
  committed: Readonly<Record<string, number>>,
): boolean {
  return positions.every((p) => (committed[String(p.partition)] ?? 0) >= p.latest);
}
