import type { LakehouseReader, PartitionOffsets } from '../backends/types.js';
import type { OutputMode } from '../config/pipeline-config.js';
import type { BronzeBatch } from './bronze.js';
import type { GoldState, GoldUpdates, WatermarkDrop } from './gold.js';
import type { BatchProgress } from './progress-types.js';
import type { QuarantineRow, SilverOrder } from './silver.js';

/**
 * The `(query, batch_id)` marker the lakehouse commits with each batch's data (Delta's SetTransaction):
 * a batch whose marker exists is never applied again.
 */
export interface BatchMarker {
  readonly queryName: string;
  readonly queryId: string;
  readonly batchId: number;
  /** The watermark the batch filtered and evicted with. */
  readonly batchWatermarkMs: number;
  /** The watermark for the next batch (what commits/N records). */
  readonly nextWatermarkMs: number;
  readonly endOffset: PartitionOffsets;
}

/** Everything one micro-batch writes; the lakehouse commits it in one transaction or not at all. */
export interface BatchWrite {
  readonly marker: BatchMarker;
  readonly bronze: BronzeBatch;
  /** New orders only (already deduplicated against history); exploded to lines by the writer. */
  readonly silver: readonly SilverOrder[];
  readonly quarantine: readonly QuarantineRow[];
  readonly gold: GoldUpdates;
  readonly windowDurationMs: number;
  readonly drops: readonly WatermarkDrop[];
  /** The watermark the late-row filter used (ops.watermark_drops.watermark). */
  readonly lateWatermarkMs: number;
  /** The query's settings, recorded in ops.query_settings so `verify` can read them from the lakehouse. */
  readonly settings: QuerySettingsRecord;
  readonly progress: BatchProgress;
}

/** What ops.query_settings holds per query (one row, replaced by every batch). */
export interface QuerySettingsRecord {
  readonly outputMode: OutputMode;
  readonly statefulOperatorAllowMultiple: boolean;
  readonly windowDurationMs: number;
  readonly windowOffsetMs: number;
  readonly watermarkDelayMs: number;
}

/** Totals recorded by earlier runs, for the engine snapshot. */
export interface LakehouseTotals {
  batches: number;
  inputRows: number;
  quarantined: number;
  droppedByWatermark: number;
}

/** What the pipeline engine needs from a lakehouse it writes (the embedded DuckDB one implements it). */
export interface PipelineLakehouse extends LakehouseReader {
  /** Creates the schemas and tables if missing. */
  open(): Promise<void>;
  /** The last committed batch of the query, if any. */
  lastMarker(queryName: string): Promise<BatchMarker | undefined>;
  /** The order ids among `ids` that silver already holds. */
  knownOrderIds(ids: readonly string[]): Promise<Set<string>>;
  /** Gold rows whose window ends after `minWindowEndMs` (all of them for -Infinity): the state to resume from. */
  loadGoldState(minWindowEndMs: number, windowDurationMs: number): Promise<GoldState>;
  totals(queryName: string): Promise<LakehouseTotals>;
  /**
   * Writes every layer, the progress row and the marker in one transaction. `whileCommitting`, if given,
   * runs while the final COMMIT is in flight (the engine prepares the next batch meanwhile); it must not
   * touch the lakehouse.
   */
  commitBatch(write: BatchWrite, whileCommitting?: () => Promise<void>): Promise<void>;
  /**
   * After a failed commit: the orders among `orders` whose silver rows the lakehouse cannot store, each with
   * a reason starting `range: ` (probed in transactions that are rolled back). Empty when the rows are fine,
   * i.e. the failure was not caused by the data.
   */
  findUnwritableOrders?(orders: readonly SilverOrder[], ingestionMs: number): Promise<Map<string, string>>;
  /** Bytes the lakehouse's engine holds in memory now, for progress. */
  memoryUsage?(): Promise<number>;
}
