/**
 * Stream health verdicts after LinkedIn Burrow's evaluator (core/internal/evaluator/caching.go,
 * `calculatePartitionStatus`), as SEMANTICS.md states them: over a sliding window of observations per
 * partition, OK if lag reached 0; otherwise REWIND if the processed offset went backwards, STOP if no
 * progress for longer than the window, STALL if lag > 0 and the offset never moved, WARN if lag never
 * decreased. The query's verdict is its worst partition's. No thresholds to tune, as in Burrow.
 *
 * Differences from Burrow, and why:
 * - Burrow's observations are consumer commits; ours are the monitor's own readings (the engine's committed
 *   end offset paired with a fresh latest offset), because a Spark-style query commits no consumer group and
 *   lag must be computed against fresh latest offsets (SEMANTICS.md).
 * - STOP looks at the engine's last progress or idle event (its heartbeat), not at an offset commit, and
 *   uses a floor (`stopAfterMs`) so a fast refresh rate does not call an ordinary pause between triggers a stop.
 * - STALL and WARN need a full window: two readings a second apart say nothing about a trend.
 */

/**
 * Burrow's verdicts (OK, WARN, STALL, STOP, REWIND), plus ERR when an absolute threshold's error level is
 * passed, STALE when readings stopped arriving (the pipeline is stuck, or the monitor cannot tell) and DOWN
 * when the pipeline cannot be reached at all. A monitor never shows OK on readings it no longer gets.
 */
export const VERDICTS = ['OK', 'WARN', 'ERR', 'STALL', 'STOP', 'REWIND', 'STALE', 'DOWN'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Worse is larger (Burrow checks its verdicts in this order of severity; ours rank above and between). */
export const VERDICT_SEVERITY: Readonly<Record<Verdict, number>> = {
  OK: 0,
  WARN: 1,
  ERR: 2,
  STALL: 3,
  STOP: 4,
  REWIND: 5,
  STALE: 6,
  DOWN: 7,
};

/** A warning and an error level for one number; either may be absent (that level is off). */
export interface ThresholdLevels {
  readonly warn?: number | undefined;
  readonly err?: number | undefined;
}

/**
 * Absolute thresholds, beside Burrow's trend rules (which say nothing while lag falls, however far behind
 * the stream is). Durations in ms, lag in records.
 */
export interface HealthThresholds {
  /** Age of the oldest unprocessed record (sources that can tell: Kafka, Event Hubs). */
  readonly lagSeconds: ThresholdLevels;
  /** Records not yet processed, over all partitions. */
  readonly lagRecords: ThresholdLevels;
  /** The dashboard's clock minus the watermark. */
  readonly watermarkGap: ThresholdLevels;
  /** Time since the engine's last progress or idle event (it sends one every trigger). */
  readonly sinceBatch: ThresholdLevels;
}

export const DEFAULT_THRESHOLDS: HealthThresholds = {
  lagSeconds: { warn: 30_000, err: 120_000 },
  lagRecords: { warn: 10_000, err: 100_000 },
  watermarkGap: { warn: 3 * 3_600_000, err: 12 * 3_600_000 },
  sinceBatch: { warn: 30_000, err: 120_000 },
};

export type ThresholdName = keyof HealthThresholds;

/** 'ok' below warn, 'warn' from warn, 'err' from err; 'ok' for an unknown value. */
export function thresholdLevel(
  value: number | null | undefined,
  levels: ThresholdLevels,
): 'ok' | 'warn' | 'err' {
  if (value === null || value === undefined || !Number.isFinite(value)) return 'ok';
  if (levels.err !== undefined && value >= levels.err) return 'err';
  if (levels.warn !== undefined && value >= levels.warn) return 'warn';
  return 'ok';
}

/** Where `value` sits between 0 and the error level, 0..1 (for colour gradients); 0 when unknown. */
export function thresholdRatio(value: number | null | undefined, levels: ThresholdLevels): number {
  const top = levels.err ?? levels.warn;
  if (value === null || value === undefined || !Number.isFinite(value) || top === undefined || top <= 0)
    return 0;
  return Math.max(0, Math.min(1, value / top));
}

export interface ThresholdFacts {
  /** Worst known lag age over partitions, ms; null when no partition can tell. */
  readonly lagMs: number | null;
  readonly lagRecords: number | null;
  readonly watermarkGapMs: number | null;
  readonly sinceBatchMs: number | null;
}

const THRESHOLD_LABELS: Readonly<Record<ThresholdName, string>> = {
  lagSeconds: 'lag',
  lagRecords: 'backlog',
  watermarkGap: 'watermark gap',
  sinceBatch: 'no batch for',
};

/** The worst threshold breach (WARN or ERR with a reason), or OK. */
export function thresholdVerdict(
  facts: ThresholdFacts,
  thresholds: HealthThresholds,
  format: (name: ThresholdName, value: number) => string,
): PartitionVerdict {
  const checks: [ThresholdName, number | null][] = [
    ['sinceBatch', facts.sinceBatchMs],
    ['lagSeconds', facts.lagMs],
    ['lagRecords', facts.lagRecords],
    ['watermarkGap', facts.watermarkGapMs],
  ];
  let worst: PartitionVerdict = OK;
  for (const [name, value] of checks) {
    const level = thresholdLevel(value, thresholds[name]);
    if (level === 'ok' || value === null) continue;
    const verdict: Verdict = level === 'err' ? 'ERR' : 'WARN';
    if (VERDICT_SEVERITY[verdict] <= VERDICT_SEVERITY[worst.verdict]) continue;
    const limit = level === 'err' ? thresholds[name].err! : thresholds[name].warn!;
    worst = {
      verdict,
      reason: `${THRESHOLD_LABELS[name]} ${format(name, value)} ≥ ${format(name, limit)}`,
    };
  }
  return worst;
}

/** One reading of one partition. */
export interface LagObservation {
  /** Wall-clock ms of the reading. */
  readonly atMs: number;
  /** The engine's committed end offset. */
  readonly offset: number;
  /** latest − committed at that moment. */
  readonly lag: number;
}

export interface PartitionVerdictInput {
  /** Oldest first; the last one is the current reading. */
  readonly observations: readonly LagObservation[];
  /** Size of a full window. */
  readonly window: number;
  readonly nowMs: number;
  /** Wall-clock ms of the engine's last progress or idle event; undefined before the first. */
  readonly lastProgressMs: number | undefined;
  /** Minimum silence that counts as STOP. */
  readonly stopAfterMs: number;
}

export interface PartitionVerdict {
  readonly verdict: Verdict;
  /** Why, in a few words; empty for OK. */
  readonly reason: string;
}

const OK: PartitionVerdict = { verdict: 'OK', reason: '' };

export function partitionVerdict(input: PartitionVerdictInput): PartitionVerdict {
  const obs = input.observations;
  const current = obs[obs.length - 1];
  if (!current) return OK;
  // Rule 1: lag reached zero somewhere in the window — caught up, nothing else matters.
  if (current.lag === 0 || obs.some((o) => o.lag === 0)) return OK;

  // Rule 2: the processed offset went backwards (a reset checkpoint, a replaced topic).
  for (let i = 1; i < obs.length; i++) {
    if (obs[i]!.offset < obs[i - 1]!.offset) {
      return {
        verdict: 'REWIND',
        reason: `offset went back from ${obs[i - 1]!.offset} to ${obs[i]!.offset}`,
      };
    }
  }

  // Rule 3: the engine has been silent for longer than the window spans.
  const first = obs[0]!;
  const span = current.atMs - first.atMs;
  const silentSince = input.lastProgressMs ?? first.atMs;
  const silence = input.nowMs - silentSince;
  if (silence > Math.max(span, input.stopAfterMs)) {
    return {
      verdict: 'STOP',
      reason: `no progress for ${Math.round(silence / 1000)}s with lag ${current.lag}`,
    };
  }

  if (obs.length < input.window) return OK;

  // Rule 4: progress events keep coming, yet this partition's offset never moves.
  if (obs.every((o) => o.offset === first.offset)) {
    return { verdict: 'STALL', reason: `offset stuck at ${first.offset} with lag ${current.lag}` };
  }

  // Rule 5: the engine moves, but not fast enough: lag never went down across the window.
  let decreased = false;
  for (let i = 1; i < obs.length; i++) if (obs[i]!.lag < obs[i - 1]!.lag) decreased = true;
  if (!decreased) return { verdict: 'WARN', reason: `lag rising ${first.lag} → ${current.lag}` };
  return OK;
}

export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'OK';
  for (const v of verdicts) if (VERDICT_SEVERITY[v] > VERDICT_SEVERITY[worst]) worst = v;
  return worst;
}

/** Appends an observation, keeping the last `window` (returns a new array; inputs are not mutated). */
export function pushObservation(
  window: readonly LagObservation[],
  next: LagObservation,
  size: number,
): LagObservation[] {
  const out = window.length >= size ? window.slice(window.length - size + 1) : window.slice();
  out.push(next);
  return out;
}
