import type { PartitionOffsets } from '../backends/types.js';

/**
 * The engine's public events and snapshot, shaped after Spark's StreamingQueryProgress (SEMANTICS.md
 * "Progress"). The TUI, the headless reporters and the status endpoint all consume exactly these.
 */
export interface SourceProgress {
  description: string;
  startOffset: PartitionOffsets;
  endOffset: PartitionOffsets;
  /** Latest offsets seen when the batch was planned (lag = latest − end). */
  latestOffset: PartitionOffsets;
  numInputRows: number;
  inputRowsPerSecond: number | null;
  processedRowsPerSecond: number | null;
}

export interface StateOperatorProgress {
  /** e.g. "gold.branch_revenue" */
  operatorName: string;
  numRowsTotal: number;
  numRowsUpdated: number;
  numRowsRemoved: number;
  /**
   * Spark's meaning: rows that reached this operator's state store after partial aggregation and were late,
   * i.e. distinct late (window, key) groups of this aggregation in the batch — not input rows.
   */
  numRowsDroppedByWatermark: number;
  memoryUsedBytes: number;
  /** brewline addition: late orders the filter dropped in the batch (the same for every gold operator). */
  numLateOrders?: number;
  /** brewline addition: their order lines (silver rows). */
  numLateLines?: number;
}

export type DurationPhase =
  | 'latestOffset'
  | 'getBatch'
  | 'queryPlanning'
  | 'addBatch'
  | 'walCommit'
  | 'commitOffsets'
  | 'triggerExecution';

export interface BatchProgress {
  queryName: string;
  /** Stable across restarts (stored in the checkpoint metadata). */
  queryId: string;
  /** New on every start. */
  runId: string;
  batchId: number;
  /** ISO-8601 UTC time the trigger started. */
  timestamp: string;
  numInputRows: number;
  /** Omitted by Spark when not finite; null here. */
  inputRowsPerSecond: number | null;
  processedRowsPerSecond: number | null;
  durationMs: Partial<Record<DurationPhase, number>>;
  /** ISO-8601 UTC; watermark is the one this batch used (epoch 0 before the first). */
  eventTime: { min?: string; max?: string; avg?: string; watermark: string };
  stateOperators: StateOperatorProgress[];
  sources: SourceProgress[];
  sink: { description: string; numOutputRows: number };
  /** brewline additions: what silver did with the batch. */
  silver: { rows: number; orders: number; duplicates: number; quarantined: number };
  /** brewline addition: the process's memory after the batch (RSS, JS heap) and the lakehouse engine's. */
  memory?: { rssBytes: number; heapUsedBytes: number; lakehouseBytes?: number };
}

export type EngineEvent =
  | { type: 'started'; queryName: string; queryId: string; runId: string; timestamp: string }
  | { type: 'progress'; progress: BatchProgress }
  | { type: 'idle'; queryName: string; timestamp: string }
  | { type: 'terminated'; queryName: string; timestamp: string; error?: string };

export type EngineStatus = 'starting' | 'running' | 'idle' | 'stopping' | 'stopped' | 'failed';

export interface EngineSnapshot {
  status: EngineStatus;
  queryName: string;
  queryId: string | undefined;
  /** The most recent progress, and a bounded history for rates and sparklines (oldest first). */
  lastProgress: BatchProgress | undefined;
  recentProgress: readonly BatchProgress[];
  /** Watermark in effect for the next batch, epoch ms. */
  watermarkMs: number;
  /** Last processed (committed) end offsets per partition. */
  committedOffsets: PartitionOffsets;
  /**
   * Totals since the lakehouse was created (not just this run). `droppedByWatermark` sums every state
   * operator's numRowsDroppedByWatermark, as ops.stream_progress.num_rows_dropped_by_watermark does per batch.
   */
  totals: { batches: number; inputRows: number; quarantined: number; droppedByWatermark: number };
  /** Wall-clock ms of the last progress or idle event. */
  lastEventAtMs: number | undefined;
  error: string | undefined;
}

/** What a view needs from a running engine: an external store (React's useSyncExternalStore shape). */
export interface EngineStore {
  subscribe(listener: (event: EngineEvent) => void): () => void;
  getSnapshot(): EngineSnapshot;
}
