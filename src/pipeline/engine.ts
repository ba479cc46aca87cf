import { randomUUID } from 'node:crypto';
import type {
  OffsetRange,
  PartitionOffsets,
  PartitionPosition,
  Source,
  SourceRecord,
} from '../backends/types.js';
import { DEFAULT_MAX_BYTES_PER_BATCH, type OutputMode } from '../config/pipeline-config.js';
import type { Catalog } from '../domain/catalog.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { WindowSpec } from '../domain/time.js';
import { DataIntegrityError, describeError } from '../errors.js';
import { toBronze } from './bronze.js';
import { Checkpoint, type CheckpointMetadata, type OffsetsEntry } from './checkpoint.js';
import { aggregateGold, applyGold, type GoldSpec, type GoldState } from './gold.js';
import type { BatchWrite, PipelineLakehouse } from './lakehouse-types.js';
import {
  checkPlannedEnd,
  hasData,
  prorateDense,
  reached,
  recordBudget,
  sameOffsets,
  spansFor,
  startOf,
  type PartitionSpan,
  type RecordSize,
} from './offset-plan.js';
import type {
  BatchProgress,
  DurationPhase,
  EngineEvent,
  EngineSnapshot,
  EngineStore,
  StateOperatorProgress,
} from './progress-types.js';
import { dropKnownOrders, quarantineOrders, refineBatch, type RefinedBatch } from './silver.js';
import { advanceWatermark, lateEventsWatermark } from './watermark.js';

/** When micro-batches run (Spark's triggers). */
export type Trigger =
  /** A batch every `intervalMs`; the next starts at once if one runs longer (ProcessingTime). */
  | { kind: 'interval'; intervalMs: number }
  /** Everything available at start, in batches bounded by maxRecordsPerBatch, then stop (AvailableNow). */
  | { kind: 'availableNow' };

export interface StreamingQueryOptions {
  source: Source;
  lakehouse: PipelineLakehouse;
  checkpointDir: string;
  catalog: Catalog;
  trigger: Trigger;
  /** @default 'orders' */
  queryName?: string;
  /** @default 50_000 */
  maxRecordsPerBatch?: number;
  /** Upper bound of a batch's bytes (Spark's maxBytesPerTrigger; one record always moves). @default 64 MiB */
  maxBytesPerBatch?: number;
  /** @default 'complete' */
  outputMode?: OutputMode;
  /** Gold's tumbling window. */
  window: WindowSpec;
  /** @default 600_000 */
  watermarkDelayMs?: number;
  /**
   * Spark's `spark.sql.streaming.statefulOperator.allowMultiple`: true filters late rows in batch N with the
   * watermark of batch N−1 and evicts state with wm(N) (Spark ≥ 3.4's default); false filters with wm(N)
   * (brewline before 0.2, Spark with the setting off). A new checkpoint records it; when unset, an existing
   * checkpoint's value is used (absent in an old one: false), a new one gets true. Set and different from
   * the checkpoint's: the query refuses to start. @default true
   */
  statefulOperatorAllowMultiple?: boolean;
  /**
   * Spark's `spark.sql.streaming.noDataMicroBatches.enabled`: in update mode, when the last batch moved the
   * watermark past the one it evicted with, run a batch without input (numInputRows 0) so state is evicted
   * without waiting for new data. @default true
   */
  noDataMicroBatches?: boolean;
  /** @default systemClock */
  clock?: Clock;
  /** Progress entries kept in the snapshot. @default 100 */
  historySize?: number;
  /**
   * Where a query with a new checkpoint starts (Spark's `startingOffsets`): `earliest` reads everything the
   * source still holds, `latest` only what arrives from now on. Ignored once the checkpoint exists; partitions
   * that appear later always start at their earliest offset. @default 'earliest'
   */
  startingOffsets?: 'earliest' | 'latest';
}

/** The next batch, planned, read and refined while the previous one commits (available-now catch-up). */
interface PreparedBatch {
  positions: PartitionPosition[];
  startOffset: PartitionOffsets;
  endOffset: PartitionOffsets;
  records: SourceRecord[];
  refined: RefinedBatch;
}

/** A rough per-state-row footprint (a JS object and its key in a Map) for memoryUsedBytes. */
const STATE_ROW_BYTES = 200;

/**
 * The micro-batch streaming query: plans each batch's exact offset ranges, writes them to the checkpoint
 * (offsets/N), runs bronze → silver → gold over the batch, commits every layer and a `(query, batch)`
 * marker in one lakehouse transaction, then writes commits/N. Restart resumes exactly where the
 * checkpoint and the lakehouse agree; disagreements are resolved towards never applying a batch twice.
 * A failed batch fails the query (as in Spark); restarting recovers it from the checkpoint.
 */
export class StreamingQuery implements EngineStore {
  private readonly source: Source;
  private readonly lakehouse: PipelineLakehouse;
  private readonly checkpoint: Checkpoint;
  private readonly catalog: Catalog;
  private readonly clock: Clock;
  private readonly trigger: Trigger;
  private readonly queryName: string;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  /** Size of the last batch read, to turn the byte limit into records for dense sources. */
  private lastRead: RecordSize | undefined;
  private readonly gold: GoldSpec;
  private readonly delayMs: number;
  private readonly historySize: number;
  private readonly requestedAllowMultiple: boolean | undefined;
  private readonly noDataMicroBatches: boolean;
  /** Resolved in `recover` from the option and the checkpoint. */
  private allowMultiple = true;
  /** wm(N−1) for the next batch N: the watermark the last committed batch ran with (0 before batch 1). */
  private previousBatchWatermarkMs = 0;
  /** Whether a batch ran in this run (Spark's lastExecution): only then may a no-data batch follow. */
  private executedThisRun = false;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly stopController = new AbortController();
  private snapshot: EngineSnapshot;

  private queryId = '';
  private runId = '';
  private nextBatchId = 0;
  private watermarkMs = 0;
  private committed: PartitionOffsets = {};
  private readonly startingOffsets: 'earliest' | 'latest';
  /** External group commits run one at a time, latest offsets winning; never on the batch's critical path. */
  private externalCommit: Promise<void> | undefined;
  private pendingExternalCommit: PartitionOffsets | undefined;
  private state: GoldState | undefined;
  private reruns: OffsetsEntry[] = [];
  private lastTriggerStartMs: number | undefined;
  private target: PartitionOffsets | undefined;
  private prepared: PreparedBatch | undefined;

  constructor(options: StreamingQueryOptions) {
    this.source = options.source;
    this.lakehouse = options.lakehouse;
    this.checkpoint = new Checkpoint(options.checkpointDir);
    this.catalog = options.catalog;
    this.clock = options.clock ?? systemClock;
    this.trigger = options.trigger;
    this.queryName = options.queryName ?? 'orders';
    this.maxRecords = options.maxRecordsPerBatch ?? 50_000;
    this.maxBytes = options.maxBytesPerBatch ?? DEFAULT_MAX_BYTES_PER_BATCH;
    this.gold = { window: options.window, outputMode: options.outputMode ?? 'complete' };
    this.delayMs = options.watermarkDelayMs ?? 600_000;
    this.requestedAllowMultiple = options.statefulOperatorAllowMultiple;
    this.noDataMicroBatches = options.noDataMicroBatches ?? true;
    this.startingOffsets = options.startingOffsets ?? 'earliest';
    this.historySize = options.historySize ?? 100;
    this.snapshot = {
      status: 'starting',
      queryName: this.queryName,
      queryId: undefined,
      lastProgress: undefined,
      recentProgress: [],
      watermarkMs: 0,
      committedOffsets: {},
      totals: { batches: 0, inputRows: 0, quarantined: 0, droppedByWatermark: 0 },
      lastEventAtMs: undefined,
      error: undefined,
    };
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot(): EngineSnapshot {
    return this.snapshot;
  }

  /** Asks the query to stop after the batch in progress (never in the middle of a commit). */
  stop(): void {
    if (this.snapshot.status === 'stopped' || this.snapshot.status === 'failed') return;
    this.update({ status: 'stopping' });
    this.stopController.abort();
  }

  private get stopping(): boolean {
    return this.stopController.signal.aborted;
  }

  /** Runs until stopped (or, for available-now, until the data available at start is processed). */
  async run(): Promise<void> {
    try {
      await this.source.open();
      await this.lakehouse.open();
      await this.recover();
      this.emit({
        type: 'started',
        queryName: this.queryName,
        queryId: this.queryId,
        runId: this.runId,
        timestamp: new Date(this.clock.now()).toISOString(),
      });
      this.update({ status: 'running' });
      await this.loop();
      await this.flushExternalCommit();
      this.update({ status: 'stopped' });
      this.emit({
        type: 'terminated',
        queryName: this.queryName,
        timestamp: new Date(this.clock.now()).toISOString(),
      });
    } catch (error) {
      const { message } = describeError(error);
      this.update({ status: 'failed', error: message });
      this.emit({
        type: 'terminated',
        queryName: this.queryName,
        timestamp: new Date(this.clock.now()).toISOString(),
        error: message,
      });
      throw error;
    }
  }

  private metadataFor(id: string): CheckpointMetadata {
    return {
      id,
      queryName: this.queryName,
      sourceId: this.source.id,
      outputMode: this.gold.outputMode,
      windowDurationMs: this.gold.window.durationMs,
      windowOffsetMs: this.gold.window.startOffsetMs,
      watermarkDelayMs: this.delayMs,
      createdAt: new Date(this.clock.now()).toISOString(),
      statefulOperatorAllowMultiple: this.requestedAllowMultiple ?? true,
    };
  }

  /**
   * Reconciles the checkpoint with the lakehouse (Spark's populateStartOffsets plus the sink's batch
   * marker): batches the lakehouse already holds are never re-applied, batches it lacks are re-run with
   * exactly their logged offsets and watermark.
   */
  private async recover(): Promise<void> {
    const cp = this.checkpoint;
    let metadata = cp.readMetadata();
    const marker = await this.lakehouse.lastMarker(this.queryName);
    const lastOffsets = cp.latest('offsets');
    const hint = 'use the checkpoint directory that belongs to this lakehouse, or start over with new ones';
    if (!metadata) {
      if (lastOffsets !== undefined || cp.latest('commits') !== undefined) {
        throw new DataIntegrityError(`checkpoint ${cp.dir} has batch logs but no metadata file`, { hint });
      }
      if (marker) {
        throw new DataIntegrityError(
          `the lakehouse already holds batches 0..${marker.batchId} of query "${this.queryName}" (id ${marker.queryId}) but checkpoint ${cp.dir} is new`,
          { hint },
        );
      }
      metadata = this.metadataFor(randomUUID());
      if (this.startingOffsets === 'latest') {
        // Like Spark's initial offsets: stored with the query, so a restart before the first batch starts from
        // the same place, not from a newer "latest".
        metadata.initialOffsets = Object.fromEntries(
          (await this.source.positions()).map((p) => [String(p.partition), p.latest]),
        );
      }
      cp.writeMetadata(metadata);
    } else {
      this.checkCompatible(metadata);
      if (marker && marker.queryId !== metadata.id) {
        throw new DataIntegrityError(
          `the lakehouse's batches of query "${this.queryName}" belong to query id ${marker.queryId}, checkpoint ${cp.dir} to ${metadata.id}`,
          { hint },
        );
      }
    }
    this.allowMultiple = metadata.statefulOperatorAllowMultiple ?? false;
    this.queryId = metadata.id;
    this.runId = randomUUID();
    if (metadata.initialOffsets) this.committed = metadata.initialOffsets;

    const lakehouseBatch = marker?.batchId ?? -1;
    const logged = lastOffsets ?? -1;
    if (lakehouseBatch > logged) {
      throw new DataIntegrityError(
        `the lakehouse holds batch ${lakehouseBatch} of query "${this.queryName}" but checkpoint ${cp.dir} logs offsets only up to ${logged}`,
        { hint },
      );
    }
    if (marker) {
      const entry = cp.offsets(marker.batchId);
      if (entry && !sameOffsets(entry.endOffset, marker.endOffset)) {
        throw new DataIntegrityError(
          `batch ${marker.batchId} ended at ${JSON.stringify(marker.endOffset)} in the lakehouse but at ${JSON.stringify(entry.endOffset)} in checkpoint ${cp.dir}`,
          { hint },
        );
      }
      // The lakehouse committed the batch but the process died before commits/N: record it, don't re-run it.
      if (!cp.commit(marker.batchId)) {
        cp.writeCommit({ batchId: marker.batchId, nextBatchWatermarkMs: marker.nextWatermarkMs });
      }
      this.watermarkMs = marker.nextWatermarkMs;
      this.previousBatchWatermarkMs = marker.batchWatermarkMs;
      this.committed = marker.endOffset;
    }
    this.nextBatchId = lakehouseBatch + 1;
    // Batches logged but not in the lakehouse (uncommitted, or the lakehouse is behind): re-run them exactly.
    for (let id = lakehouseBatch + 1; id <= logged; id++) {
      const entry = cp.offsets(id);
      if (!entry) {
        throw new DataIntegrityError(
          `checkpoint ${cp.dir} lacks offsets/${id}, needed to re-run a batch the lakehouse does not hold`,
          { hint },
        );
      }
      this.reruns.push(entry);
    }
    const evictedBefore =
      this.gold.outputMode === 'update' && marker ? marker.batchWatermarkMs : Number.NEGATIVE_INFINITY;
    this.state = await this.lakehouse.loadGoldState(evictedBefore, this.gold.window.durationMs);
    const totals = await this.lakehouse.totals(this.queryName);
    this.update({
      queryId: this.queryId,
      watermarkMs: this.watermarkMs,
      committedOffsets: this.committed,
      totals,
    });
  }

  private checkCompatible(m: CheckpointMetadata): void {
    const mismatches: string[] = [];
    const want = this.metadataFor(m.id);
    for (const key of [
      'queryName',
      'sourceId',
      'outputMode',
      'windowDurationMs',
      'windowOffsetMs',
      'watermarkDelayMs',
    ] as const) {
      if (m[key] !== want[key])
        mismatches.push(`${key} ${JSON.stringify(m[key])} (now ${JSON.stringify(want[key])})`);
    }
    const stored = m.statefulOperatorAllowMultiple ?? false;
    if (this.requestedAllowMultiple !== undefined && this.requestedAllowMultiple !== stored) {
      mismatches.push(
        `statefulOperatorAllowMultiple ${String(stored)}${m.statefulOperatorAllowMultiple === undefined ? ' (not recorded: the checkpoint predates it)' : ''} (now ${String(this.requestedAllowMultiple)})`,
      );
    }
    if (mismatches.length > 0) {
      throw new DataIntegrityError(
        `checkpoint ${this.checkpoint.dir} was written with different settings: ${mismatches.join(', ')}`,
        {
          hint: 'these cannot change for a running query: restore them, or use a new checkpoint and lakehouse',
        },
      );
    }
  }

  private async loop(): Promise<void> {
    let target: PartitionOffsets | undefined;
    if (this.trigger.kind === 'availableNow') {
      const positions = await this.source.positions();
      const end: Record<string, number> = Object.fromEntries(
        positions.map((p) => [String(p.partition), p.latest]),
      );
      for (const entry of this.reruns) {
        for (const [p, o] of Object.entries(entry.endOffset)) end[p] = Math.max(end[p] ?? 0, o);
      }
      target = end;
      this.target = target;
    }
    while (!this.stopping) {
      const triggerStartMs = this.clock.now();
      const ran = await this.runTrigger(triggerStartMs, target);
      if (!ran) {
        this.update({ status: 'idle', lastEventAtMs: this.clock.now() });
        this.emit({
          type: 'idle',
          queryName: this.queryName,
          timestamp: new Date(this.clock.now()).toISOString(),
        });
      }
      if (target) {
        if (!ran) break;
        if (this.reruns.length === 0 && reached(this.committed, target) && !this.needsNoDataBatch()) break;
        continue;
      }
      const intervalMs = (this.trigger as { intervalMs: number }).intervalMs;
      const wait = triggerStartMs + intervalMs - this.clock.now();
      if (wait > 0 && !this.stopping) {
        try {
          await this.clock.sleep(wait, this.stopController.signal);
        } catch {
          // Aborted by stop(): leave the loop.
        }
      }
    }
  }

  /** Plans and runs one batch; false when there was no new data. */
  private async runTrigger(triggerStartMs: number, target: PartitionOffsets | undefined): Promise<boolean> {
    const durations: Partial<Record<DurationPhase, number>> = {};
    let t = this.clock.now();
    const lap = (phase: DurationPhase): void => {
      const now = this.clock.now();
      durations[phase] = (durations[phase] ?? 0) + (now - t);
      t = now;
    };
    let entry = this.reruns.shift();
    const prepared = this.prepared;
    this.prepared = undefined;
    let positions: PartitionPosition[];
    if (
      !entry &&
      prepared &&
      sameOffsets(prepared.startOffset, startOf(spansFor(this.committed, prepared.positions)))
    ) {
      positions = prepared.positions;
      entry = {
        batchId: this.nextBatchId,
        batchWatermarkMs: this.watermarkMs,
        batchTimestampMs: triggerStartMs,
        startOffset: prepared.startOffset,
        endOffset: prepared.endOffset,
      };
      lap('latestOffset');
      this.checkpoint.writeOffsets(entry);
      lap('walCommit');
      await this.execute(entry, positions, durations, lap, triggerStartMs, prepared);
      return true;
    }
    positions = await this.source.positions();
    if (!entry) {
      const spans = spansFor(this.committed, positions, target);
      const data = hasData(spans);
      if (!data && !this.needsNoDataBatch()) return false;
      const endOffset = data ? await this.planEnd(spans) : startOf(spans);
      entry = {
        batchId: this.nextBatchId,
        batchWatermarkMs: this.watermarkMs,
        batchTimestampMs: triggerStartMs,
        startOffset: startOf(spans),
        endOffset,
      };
      lap('latestOffset');
      this.checkpoint.writeOffsets(entry);
      lap('walCommit');
    } else {
      lap('latestOffset');
      this.checkRerun(entry);
    }
    await this.execute(entry, positions, durations, lap, triggerStartMs);
    return true;
  }

  /**
   * Plans, reads and refines the batch after `committed` — pure reads, nothing logged — so an available-now
   * run overlaps it with the lakehouse commit of the batch before. Any failure just skips the shortcut.
   */
  private async prepareNext(committed: PartitionOffsets): Promise<void> {
    if (!this.target || this.reruns.length > 0 || this.stopping) return;
    const positions = await this.source.positions();
    const spans = spansFor(committed, positions, this.target);
    if (!hasData(spans)) return;
    const endOffset = await this.planEnd(spans);
    const ranges = rangesOf(startOf(spans), endOffset);
    const records = await this.source.read(ranges);
    this.prepared = {
      positions,
      startOffset: startOf(spans),
      endOffset,
      records,
      refined: refineBatch(records, this.catalog),
    };
  }

  /** The watermark the state held in memory was last evicted with (what `loadGoldState` must skip). */
  private stateEvictedBefore(): number {
    return this.gold.outputMode === 'update' && this.nextBatchId > 0
      ? this.previousBatchWatermarkMs
      : Number.NEGATIVE_INFINITY;
  }

  /**
   * Spark's `lastExecutionRequiresAnotherBatch` for a windowed aggregation (StateStoreSaveExec
   * .shouldRunAnotherBatch): update mode, a batch ran in this run, and the watermark for the next batch is
   * past the one the last batch evicted with.
   */
  private needsNoDataBatch(): boolean {
    return (
      this.noDataMicroBatches &&
      this.gold.outputMode === 'update' &&
      this.executedThisRun &&
      this.watermarkMs > this.previousBatchWatermarkMs
    );
  }

  private checkRerun(entry: OffsetsEntry): void {
    if (entry.batchId !== this.nextBatchId || entry.batchWatermarkMs !== this.watermarkMs) {
      throw new DataIntegrityError(
        `offsets/${entry.batchId} (watermark ${entry.batchWatermarkMs}) does not follow the last committed batch ${this.nextBatchId - 1} (watermark ${this.watermarkMs})`,
        { hint: 'the checkpoint was edited or mixed with another; use a new checkpoint and lakehouse' },
      );
    }
    for (const [p, from] of Object.entries(entry.startOffset)) {
      const committed = this.committed[p];
      if (committed !== undefined && committed !== from) {
        throw new DataIntegrityError(
          `offsets/${entry.batchId} starts partition ${p} at ${from}, but batch ${this.nextBatchId - 1} ended at ${committed}`,
        );
      }
    }
  }

  /** Plans a batch's end offsets; an end that is not a record boundary is refused before it is logged. */
  private async planEnd(spans: readonly PartitionSpan[]): Promise<PartitionOffsets> {
    const end = await this.planBoundedEnd(spans);
    checkPlannedEnd(spans, end);
    await this.source.checkEnd?.(end);
    return end;
  }

  private async planBoundedEnd(spans: readonly PartitionSpan[]): Promise<PartitionOffsets> {
    if (this.source.capabilities.denseOffsets) {
      return prorateDense(spans, recordBudget(this.maxRecords, this.maxBytes, this.lastRead));
    }
    const withData = Math.max(1, spans.filter((s) => s.limit > s.from).length);
    const perPartition = Math.ceil(this.maxRecords / withData);
    const bytesPerPartition = Math.max(1, Math.floor(this.maxBytes / withData));
    const end: Record<string, number> = {};
    for (const s of spans) {
      end[String(s.partition)] =
        s.limit > s.from && this.source.offsetAfter
          ? await this.source.offsetAfter(s.partition, s.from, perPartition, s.limit, bytesPerPartition)
          : s.limit;
    }
    return end;
  }

  private async execute(
    entry: OffsetsEntry,
    positions: readonly PartitionPosition[],
    durations: Partial<Record<DurationPhase, number>>,
    lap: (phase: DurationPhase) => void,
    triggerStartMs: number,
    prepared?: PreparedBatch,
    poison?: ReadonlyMap<string, string>,
  ): Promise<void> {
    const state = this.state;
    if (!state) throw new DataIntegrityError('the query has not recovered its state');
    const records =
      prepared?.records ?? (await this.source.read(rangesOf(entry.startOffset, entry.endOffset)));
    lap('getBatch');
    this.lastRead = recordSizeOf(records);

    const validated = prepared?.refined ?? refineBatch(records, this.catalog);
    // Poison pills (orders a lakehouse type or a gold sum cannot hold): quarantined, never retried forever.
    const refined = poison ? quarantineOrders(validated, records, poison) : validated;
    const again = (more: ReadonlyMap<string, string>): Promise<void> =>
      this.execute(
        entry,
        positions,
        durations,
        lap,
        triggerStartMs,
        {
          positions: [...positions],
          startOffset: entry.startOffset,
          endOffset: entry.endOffset,
          records,
          refined: validated,
        },
        new Map([...(poison ?? []), ...more]),
      );
    const known = await this.lakehouse.knownOrderIds(refined.orders.map((o) => o.orderId));
    const fresh = dropKnownOrders(refined.orders, known);
    const lateWatermarkMs = lateEventsWatermark(
      this.previousBatchWatermarkMs,
      entry.batchWatermarkMs,
      this.allowMultiple,
    );
    const goldBatch = aggregateGold(state, fresh.orders, lateWatermarkMs, this.gold);
    // Nothing is applied yet: aggregate the batch again without the orders that would overflow gold.
    if (goldBatch.overflow.size > 0) return again(goldBatch.overflow);
    const nextWatermarkMs = advanceWatermark(entry.batchWatermarkMs, goldBatch.eventTime?.max, this.delayMs);
    const operators = applyGold(state, goldBatch.updates, entry.batchWatermarkMs, this.gold);
    lap('queryPlanning');

    const silverRows = fresh.orders.reduce((n, o) => n + o.lines.length, 0);
    const goldRows =
      goldBatch.updates.branch.length + goldBatch.updates.product.length + goldBatch.updates.hourly.length;
    const dropped = goldBatch.dropped;
    const droppedGroups = [dropped.branch, dropped.product, dropped.hourly];
    const stateOperators: StateOperatorProgress[] = operators.map((op, i) => ({
      ...op,
      numRowsDroppedByWatermark: droppedGroups[i] ?? 0,
      memoryUsedBytes: op.numRowsTotal * STATE_ROW_BYTES,
      numLateOrders: dropped.orders,
      numLateLines: dropped.lines,
    }));
    const droppedRows = droppedGroups.reduce((a, b) => a + b, 0);
    const elapsedSinceLast =
      this.lastTriggerStartMs === undefined ? 0 : (triggerStartMs - this.lastTriggerStartMs) / 1000;
    const inputRowsPerSecond = elapsedSinceLast > 0 ? records.length / elapsedSinceLast : null;
    const latestOffset = Object.fromEntries(positions.map((p) => [String(p.partition), p.latest]));
    const ev = goldBatch.eventTime;
    const progress = (processedRowsPerSecond: number | null): BatchProgress => ({
      queryName: this.queryName,
      queryId: this.queryId,
      runId: this.runId,
      batchId: entry.batchId,
      timestamp: new Date(triggerStartMs).toISOString(),
      numInputRows: records.length,
      inputRowsPerSecond,
      processedRowsPerSecond,
      durationMs: { ...durations },
      eventTime: {
        ...(ev
          ? {
              min: new Date(ev.min).toISOString(),
              max: new Date(ev.max).toISOString(),
              avg: new Date(Math.round(ev.sum / ev.count)).toISOString(),
            }
          : {}),
        watermark: new Date(entry.batchWatermarkMs).toISOString(),
      },
      stateOperators,
      sources: [
        {
          description: this.source.description,
          startOffset: entry.startOffset,
          endOffset: entry.endOffset,
          latestOffset,
          numInputRows: records.length,
          inputRowsPerSecond,
          processedRowsPerSecond,
        },
      ],
      sink: {
        description: this.lakehouse.description,
        numOutputRows: records.length + silverRows + refined.quarantine.length + goldRows,
      },
      silver: {
        rows: silverRows,
        orders: fresh.orders.length,
        duplicates: refined.duplicatesInBatch + fresh.duplicates,
        quarantined: refined.quarantine.length,
      },
    });
    const rate = (ms: number): number | null => (ms > 0 ? records.length / (ms / 1000) : null);
    durations.triggerExecution = this.clock.now() - triggerStartMs;
    // The stored row is written inside the batch's transaction, so it carries the phases up to the write.
    const stored = progress(rate(durations.triggerExecution));

    const write: BatchWrite = {
      marker: {
        queryName: this.queryName,
        queryId: this.queryId,
        batchId: entry.batchId,
        batchWatermarkMs: entry.batchWatermarkMs,
        nextWatermarkMs,
        endOffset: entry.endOffset,
      },
      bronze: toBronze(records, entry.batchId, triggerStartMs),
      silver: fresh.orders,
      quarantine: refined.quarantine,
      gold: goldBatch.updates,
      windowDurationMs: this.gold.window.durationMs,
      drops: goldBatch.drops,
      lateWatermarkMs,
      settings: {
        outputMode: this.gold.outputMode,
        statefulOperatorAllowMultiple: this.allowMultiple,
        windowDurationMs: this.gold.window.durationMs,
        windowOffsetMs: this.gold.window.startOffsetMs,
        watermarkDelayMs: this.delayMs,
      },
      progress: stored,
    };
    try {
      await this.lakehouse.commitBatch(write, () =>
        this.prepareNext({ ...this.committed, ...entry.endOffset }),
      );
    } catch (error) {
      // Last line of defence: a batch the lakehouse cannot store would fail on every restart. If the failure
      // comes from some orders' values, quarantine exactly those and run the batch again; else fail.
      if (error instanceof DataIntegrityError || !this.lakehouse.findUnwritableOrders) throw error;
      const unwritable = await this.lakehouse.findUnwritableOrders(fresh.orders, triggerStartMs);
      const fresher = new Map([...unwritable].filter(([id]) => !poison?.has(id)));
      if (fresher.size === 0) throw error;
      // applyGold already changed the state: start again from what the lakehouse holds.
      this.state = await this.lakehouse.loadGoldState(this.stateEvictedBefore(), this.gold.window.durationMs);
      return again(fresher);
    }
    lap('addBatch');
    this.checkpoint.writeCommit({ batchId: entry.batchId, nextBatchWatermarkMs: nextWatermarkMs });
    this.checkpoint.purge(entry.batchId);
    lap('commitOffsets');
    durations.triggerExecution = this.clock.now() - triggerStartMs;

    this.watermarkMs = nextWatermarkMs;
    this.previousBatchWatermarkMs = entry.batchWatermarkMs;
    this.executedThisRun = true;
    this.committed = { ...this.committed, ...entry.endOffset };
    this.commitExternally(this.committed);
    this.nextBatchId = entry.batchId + 1;
    this.lastTriggerStartMs = triggerStartMs;
    const lakehouseBytes = await this.lakehouse.memoryUsage?.().catch(() => undefined);
    const usage = process.memoryUsage();
    const final: BatchProgress = {
      ...progress(rate(durations.triggerExecution)),
      memory: {
        rssBytes: usage.rss,
        heapUsedBytes: usage.heapUsed,
        ...(lakehouseBytes === undefined ? {} : { lakehouseBytes }),
      },
    };
    const totals = this.snapshot.totals;
    this.update({
      status: this.stopping ? 'stopping' : 'running',
      lastProgress: final,
      recentProgress: [...this.snapshot.recentProgress, final].slice(-this.historySize),
      watermarkMs: this.watermarkMs,
      committedOffsets: this.committed,
      totals: {
        batches: totals.batches + 1,
        inputRows: totals.inputRows + records.length,
        quarantined: totals.quarantined + refined.quarantine.length,
        droppedByWatermark: totals.droppedByWatermark + droppedRows,
      },
      lastEventAtMs: this.clock.now(),
    });
    this.emit({ type: 'progress', progress: final });
  }

  /**
   * Tells an external consumer group (Kafka `--group`) how far the query got, for tools like
   * kafka-consumer-groups. Like Spark, recovery never reads it back: the checkpoint is the truth, so a failed
   * commit is reported and the next batch's commit supersedes it.
   */
  private commitExternally(offsets: PartitionOffsets): void {
    if (!this.source.commit || !this.source.capabilities.externalCommit) return;
    this.pendingExternalCommit = offsets;
    this.externalCommit ??= (async () => {
      while (this.pendingExternalCommit) {
        const next = this.pendingExternalCommit;
        this.pendingExternalCommit = undefined;
        try {
          await this.source.commit?.(next);
        } catch (error) {
          this.update({ error: `external offset commit failed: ${describeError(error).message}` });
        }
      }
      this.externalCommit = undefined;
    })();
  }

  private async flushExternalCommit(): Promise<void> {
    while (this.externalCommit) await this.externalCommit;
  }

  private update(patch: Partial<EngineSnapshot>): void {
    // A new object per change, so useSyncExternalStore sees it.
    this.snapshot = { ...this.snapshot, ...patch };
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

function rangesOf(start: PartitionOffsets, end: PartitionOffsets): OffsetRange[] {
  return Object.entries(end)
    .map(([p, to]) => ({ partition: Number(p), from: start[p] ?? to, to }))
    .filter((r) => r.to > r.from)
    .sort((a, b) => a.partition - b.partition);
}

function recordSizeOf(records: readonly SourceRecord[]): RecordSize {
  let bytes = 0;
  // UTF-16 length: a lower bound of the UTF-8 size, exact for ASCII (the usual case); cheap enough per batch.
  for (const r of records) bytes += r.value.length;
  return { records: records.length, bytes };
}
