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

export const VERDICTS = ['OK', 'WARN', 'STALL', 'STOP', 'REWIND'] as const;
export type Verdict = (typeof VERDICTS)[number];

/** Worse is larger (Burrow checks them in this order of severity). */
export const VERDICT_SEVERITY: Readonly<Record<Verdict, number>> = {
  OK: 0,
  WARN: 1,
  STALL: 2,
  STOP: 3,
  REWIND: 4,
};

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
