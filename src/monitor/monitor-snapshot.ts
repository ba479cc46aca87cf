import type { FaultKind } from '../domain/ledger.js';
import type { EngineStatus } from '../pipeline/progress-types.js';
import type { GoldSnapshot, StreamReading } from './feed-types.js';
import { formatDuration, formatCount } from './display-format.js';
import {
  DEFAULT_THRESHOLDS,
  partitionVerdict,
  thresholdVerdict,
  type HealthThresholds,
  pushObservation,
  worstVerdict,
  VERDICT_SEVERITY,
  type LagObservation,
  type Verdict,
} from './health-verdict.js';

/**
 * The monitor model's public state: one JSON-safe object that the Ink TUI, the plain/JSON line reporters
 * and the Prometheus text all render. Views never compute health or call a backend; they read this.
 */

export type MonitorMode = 'demo' | 'monitor' | 'pipeline';

export interface PartitionHealth {
  readonly partition: number;
  readonly latest: number;
  readonly committed: number;
  /** latest − committed, read fresh. */
  readonly lag: number;
  /** Age of the oldest unprocessed record; 0 without lag; null when the source cannot tell. */
  readonly lagSeconds: number | null;
  /** Lag grew over each of the last two readings. */
  readonly rising: boolean;
  readonly verdict: Verdict;
  readonly reason: string;
  /** Lag at each reading of the verdict window, oldest first (the drill-down's history column). */
  readonly lagHistory: readonly number[];
}

/** One recent micro-batch, for the batch-duration histogram and the drill-down. */
export interface RecentBatch {
  readonly batchId: number;
  /** triggerExecution, ms. */
  readonly durationMs: number;
  readonly inputRows: number;
  /** ISO-8601 UTC start of the batch. */
  readonly timestamp: string;
}

export interface StreamHealth {
  readonly engineStatus: EngineStatus | 'unknown';
  readonly queryName: string;
  readonly verdict: Verdict;
  /** Why the verdict is not OK (names the worst partition); empty when OK. */
  readonly reason: string;
  readonly partitions: readonly PartitionHealth[];
  readonly totalLag: number;
  /** What `lag`, `latest` and `committed` count: records, or bytes for a file source. */
  readonly offsetUnit: 'records' | 'bytes';
  /**
   * Unprocessed records: `totalLag` for record offsets; for byte offsets an estimate from the average size of
   * the records processed so far (null before the first batch).
   */
  readonly backlogRecords: number | null;
  /** The oldest unprocessed record's age over the partitions that can tell, ms; null when none can. */
  readonly lagMs: number | null;
  readonly lagRising: boolean;
  readonly lastBatchId: number | null;
  /** triggerExecution of the last batch. */
  readonly batchDurationMs: number | null;
  /** Spark's inputRowsPerSecond / processedRowsPerSecond of the last batch. */
  readonly inputRate: number | null;
  readonly processedRate: number | null;
  /** The same two rates over recent batches, oldest first (for sparklines). */
  readonly inputRateHistory: readonly number[];
  readonly processedRateHistory: readonly number[];
  /** The engine's recent batches, oldest first. */
  readonly recentBatches: readonly RecentBatch[];
  /** Watermark in effect for the next batch, epoch ms (0 before any). */
  readonly watermarkMs: number;
  /** clock − watermark; null without a clock. */
  readonly watermarkGapMs: number | null;
  readonly droppedByWatermark: number;
  readonly quarantined: number;
  /** Rows held in the state of the stateful (gold) operators. */
  readonly stateRows: number;
  readonly batches: number;
  readonly inputRows: number;
  /** Time since the engine's last progress or idle event. */
  readonly sinceProgressMs: number | null;
  readonly error: string | undefined;
}

export interface LoadStats {
  readonly status: string;
  readonly targetRate: number | null;
  readonly actualRate: number;
  readonly actualRateHistory: readonly number[];
  readonly generated: number;
  readonly acked: number;
  readonly rejected: number;
  readonly errors: number;
  readonly throttled: number;
  readonly orders: number;
  readonly inFlight: number;
  readonly ackP50Ms: number;
  readonly ackP99Ms: number;
  readonly faults: Readonly<Record<FaultKind, number>>;
  readonly faultsTotal: number;
  readonly lastError: string | undefined;
}

export interface MonitorSnapshot {
  readonly mode: MonitorMode;
  /** Where orders come from / where the pipeline writes. */
  readonly source: string;
  readonly sink: string;
  /** What the model reads (in-process, or the status URL). */
  readonly feed: string;
  /** Wall-clock ms the snapshot was made (ticks while paused, so "updated Ns ago" keeps counting). */
  readonly nowMs: number;
  /** Wall-clock ms of the last successful reading; undefined before the first. */
  readonly updatedAtMs: number | undefined;
  readonly refreshMs: number;
  readonly paused: boolean;
  readonly branch: string | null;
  /** The clock the data lives on: the simulator's clock in `demo`, the newest event time otherwise. */
  readonly clockMs: number | undefined;
  readonly clockKind: 'simulated' | 'event-time' | 'none';
  readonly stream: StreamHealth | undefined;
  readonly load: LoadStats | undefined;
  readonly gold: GoldSnapshot | undefined;
  /** The last reading's failure, if it failed (the previous data stays on screen). */
  readonly error: string | undefined;
  /** Successful readings so far. */
  readonly readings: number;
  /**
   * Whether readings still arrive: `live`; `stale` when the last good one is older than the stale limit
   * (the pipeline is stuck, or slow to answer); `down` when the pipeline cannot be reached (it is gone).
   * Not live forces the stream verdict to STALE/DOWN, never OK.
   */
  readonly liveness: Liveness;
  /** The absolute thresholds the verdict and the colours use. */
  readonly thresholds: HealthThresholds;
}

export type Liveness = 'live' | 'stale' | 'down';

export interface MonitorStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): MonitorSnapshot;
}

/** History kept for sparklines. */
export const HISTORY_LENGTH = 40;

export function clockOf(reading: StreamReading): {
  clockMs: number | undefined;
  kind: MonitorSnapshot['clockKind'];
} {
  if (reading.simulator) return { clockMs: reading.simulator.simulatedNowMs, kind: 'simulated' };
  let newest: number | undefined;
  for (const p of reading.engine?.recentProgress ?? []) {
    const max = p.eventTime.max ? Date.parse(p.eventTime.max) : Number.NaN;
    if (Number.isFinite(max) && (newest === undefined || max > newest)) newest = max;
  }
  return newest === undefined
    ? { clockMs: undefined, kind: 'none' }
    : { clockMs: newest, kind: 'event-time' };
}

export interface DeriveStreamOptions {
  readonly window: number;
  readonly stopAfterMs: number;
  readonly clockMs: number | undefined;
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: HealthThresholds;
}

function formatThreshold(name: keyof HealthThresholds, value: number): string {
  return name === 'lagRecords' ? `${formatCount(value)} records` : formatDuration(value);
}

/**
 * Folds one reading into per-partition observation windows and derives the stream health. Pure: returns the
 * new windows instead of mutating.
 */
export function deriveStream(
  reading: StreamReading,
  windows: ReadonlyMap<number, readonly LagObservation[]>,
  options: DeriveStreamOptions,
): { stream: StreamHealth; windows: Map<number, LagObservation[]> } {
  const engine = reading.engine;
  const next = new Map<number, LagObservation[]>();
  const partitions: PartitionHealth[] = [];
  for (const p of [...reading.partitions].sort((a, b) => a.partition - b.partition)) {
    const lag = Math.max(0, p.latest - p.committed);
    const previous = windows.get(p.partition) ?? [];
    const observation: LagObservation = { atMs: reading.atMs, offset: p.committed, lag };
    const window = pushObservation(previous, observation, options.window);
    next.set(p.partition, window);
    const judged = partitionVerdict({
      observations: window,
      window: options.window,
      nowMs: reading.atMs,
      lastProgressMs: engine?.lastEventAtMs,
      stopAfterMs: options.stopAfterMs,
    });
    // An engine still starting (a JVM, a Spark session) has read nothing yet: an unmoved offset is no STALL
    // and a rising lag no WARN. Silence beyond stopAfter is still a STOP; thresholds still apply.
    const v =
      engine?.status === 'starting' && (judged.verdict === 'STALL' || judged.verdict === 'WARN')
        ? { verdict: 'OK' as const, reason: '' }
        : judged;
    const before = previous[previous.length - 1];
    const earlier = previous[previous.length - 2];
    partitions.push({
      partition: p.partition,
      latest: p.latest,
      committed: p.committed,
      lag,
      lagSeconds:
        lag === 0
          ? 0
          : p.oldestUnprocessedMs === undefined
            ? null
            : Math.max(0, (reading.atMs - p.oldestUnprocessedMs) / 1000),
      // Two rises in a row: a single rise is just data arriving between two triggers.
      rising: before !== undefined && earlier !== undefined && lag > before.lag && before.lag > earlier.lag,
      verdict: v.verdict,
      reason: v.reason,
      lagHistory: window.map((o) => o.lag),
    });
  }

  let verdict = worstVerdict(partitions.map((p) => p.verdict));
  const worst = partitions.find((p) => p.verdict === verdict && verdict !== 'OK');
  let reason = worst ? `partition ${worst.partition}: ${worst.reason}` : '';
  // A failed engine is stopped whatever its lag: nothing will move until someone restarts it.
  if (engine?.status === 'failed' && VERDICT_SEVERITY[verdict] < VERDICT_SEVERITY.STOP) {
    verdict = 'STOP';
    reason = `engine failed: ${engine.error ?? 'unknown error'}`;
  }

  const watermarkMs = engine?.watermarkMs ?? 0;
  const watermarkGapMs =
    options.clockMs === undefined || watermarkMs <= 0 ? null : options.clockMs - watermarkMs;
  const sinceProgressMs =
    engine?.lastEventAtMs === undefined ? null : Math.max(0, reading.atMs - engine.lastEventAtMs);
  const totalLag = partitions.reduce((s, p) => s + p.lag, 0);
  const offsetUnit = reading.offsetUnit ?? 'records';
  const committedTotal = partitions.reduce((s, p) => s + p.committed, 0);
  const backlogRecords =
    offsetUnit === 'records'
      ? totalLag
      : committedTotal > 0 && engine && engine.totals.inputRows > 0
        ? Math.round((totalLag * engine.totals.inputRows) / committedTotal)
        : totalLag === 0
          ? 0
          : null;
  const known = partitions.filter((p) => p.lagSeconds !== null).map((p) => (p.lagSeconds ?? 0) * 1000);
  const lagMs = known.length === 0 ? null : Math.max(...known);
  // Absolute thresholds beside Burrow's trend rules: far behind is WARN/ERR even while lag falls.
  const breach = thresholdVerdict(
    { lagMs, lagRecords: backlogRecords, watermarkGapMs, sinceBatchMs: sinceProgressMs },
    options.thresholds ?? DEFAULT_THRESHOLDS,
    formatThreshold,
  );
  if (VERDICT_SEVERITY[breach.verdict] > VERDICT_SEVERITY[verdict]) {
    verdict = breach.verdict;
    reason = breach.reason;
  }

  const last = engine?.lastProgress;
  const recent = engine?.recentProgress ?? [];
  const history = recent.slice(-HISTORY_LENGTH);
  let stateRows = 0;
  for (const op of last?.stateOperators ?? []) stateRows += op.numRowsTotal;

  return {
    windows: next,
    stream: {
      engineStatus: engine?.status ?? 'unknown',
      queryName: engine?.queryName ?? '',
      verdict,
      reason,
      partitions,
      totalLag,
      offsetUnit,
      backlogRecords,
      lagMs,
      lagRising: partitions.some((p) => p.rising),
      lastBatchId: last?.batchId ?? null,
      batchDurationMs: last?.durationMs.triggerExecution ?? null,
      inputRate: last?.inputRowsPerSecond ?? null,
      processedRate: last?.processedRowsPerSecond ?? null,
      inputRateHistory: history.map((p) => p.inputRowsPerSecond ?? 0),
      processedRateHistory: history.map((p) => p.processedRowsPerSecond ?? 0),
      recentBatches: history.map((p) => ({
        batchId: p.batchId,
        durationMs: p.durationMs.triggerExecution ?? 0,
        inputRows: p.numInputRows,
        timestamp: p.timestamp,
      })),
      watermarkMs,
      watermarkGapMs,
      droppedByWatermark: engine?.totals.droppedByWatermark ?? 0,
      quarantined: engine?.totals.quarantined ?? 0,
      stateRows,
      batches: engine?.totals.batches ?? 0,
      inputRows: engine?.totals.inputRows ?? 0,
      sinceProgressMs,
      error: engine?.error,
    },
  };
}

export function deriveLoad(reading: StreamReading, previous: LoadStats | undefined): LoadStats | undefined {
  const sim = reading.simulator;
  if (!sim) return undefined;
  const faultsTotal = Object.values(sim.faults).reduce((s, n) => s + n, 0);
  const history = [...(previous?.actualRateHistory ?? []), sim.actualRate].slice(-HISTORY_LENGTH);
  return {
    status: sim.status,
    targetRate: sim.targetRate,
    actualRate: sim.actualRate,
    actualRateHistory: history,
    generated: sim.generated,
    acked: sim.acked,
    rejected: sim.rejected,
    errors: sim.errors,
    throttled: sim.throttled,
    orders: sim.orders,
    inFlight: sim.inFlight,
    ackP50Ms: sim.ackLatencyMs.p50,
    ackP99Ms: sim.ackLatencyMs.p99,
    faults: sim.faults,
    faultsTotal,
    lastError: sim.lastError,
  };
}

/**
 * The snapshot as it stands at `nowMs`: when the last good reading is older than `staleAfterMs`, or the
 * pipeline could not be reached, the stream verdict becomes STALE or DOWN with the age of that reading, and
 * the ages on screen keep counting instead of freezing. Comes back to the derived verdict with the next good
 * reading. Pure.
 */
export function withLiveness(
  s: MonitorSnapshot,
  nowMs: number,
  lastGoodAtMs: number | undefined,
  unreachable: boolean,
  staleAfterMs: number,
): MonitorSnapshot {
  const age = lastGoodAtMs === undefined ? undefined : Math.max(0, nowMs - lastGoodAtMs);
  const liveness: Liveness = unreachable
    ? 'down'
    : age !== undefined && age > staleAfterMs
      ? 'stale'
      : 'live';
  if (liveness === 'live' || !s.stream) return { ...s, nowMs, liveness };
  const verdict: Verdict = liveness === 'down' ? 'DOWN' : 'STALE';
  const ago = age === undefined ? 'no reading yet' : `last good reading ${formatDuration(age)} ago`;
  const why = liveness === 'down' ? 'pipeline unreachable' : 'no fresh reading';
  return {
    ...s,
    nowMs,
    liveness,
    stream: {
      ...s.stream,
      verdict,
      reason: `${why}: ${ago}${s.error ? ` (${s.error})` : ''}`,
      sinceProgressMs:
        s.stream.sinceProgressMs === null || age === undefined ? null : s.stream.sinceProgressMs + age,
    },
  };
}
