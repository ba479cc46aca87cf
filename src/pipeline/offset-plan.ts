import type { PartitionOffsets, PartitionPosition } from '../backends/types.js';
import { DataIntegrityError } from '../errors.js';

/** One partition's readable span for the next batch: from the committed offset up to a limit. */
export interface PartitionSpan {
  readonly partition: number;
  readonly from: number;
  /** Exclusive: the latest offset, capped by an available-now target. */
  readonly limit: number;
}

/**
 * Where each partition stands for the next batch: from the committed end (or the earliest offset for a
 * partition never read), up to its latest offset capped by `target` (available-now's end).
 */
export function spansFor(
  committed: PartitionOffsets,
  positions: readonly PartitionPosition[],
  target?: PartitionOffsets,
): PartitionSpan[] {
  return positions.map((p) => {
    const from = committed[String(p.partition)] ?? p.earliest;
    const cap = target?.[String(p.partition)];
    const limit = cap === undefined ? p.latest : Math.min(p.latest, cap);
    return { partition: p.partition, from, limit: Math.max(from, limit) };
  });
}

/**
 * Spark's rate limit for Kafka (maxOffsetsPerTrigger): the budget is shared in proportion to each
 * partition's backlog; a share below one record rounds up so every partition with data moves. Dense
 * offsets only (one offset = one record).
 */
export function prorateDense(spans: readonly PartitionSpan[], maxRecords: number): PartitionOffsets {
  const totalLag = spans.reduce((sum, s) => sum + (s.limit - s.from), 0);
  const end: Record<string, number> = {};
  for (const s of spans) {
    const lag = s.limit - s.from;
    if (totalLag <= maxRecords || lag === 0) {
      end[String(s.partition)] = s.limit;
      continue;
    }
    const share = (maxRecords * lag) / totalLag;
    const take = share < 1 ? Math.ceil(share) : Math.floor(share);
    end[String(s.partition)] = Math.min(s.limit, s.from + take);
  }
  return end;
}

export function startOf(spans: readonly PartitionSpan[]): PartitionOffsets {
  return Object.fromEntries(spans.map((s) => [String(s.partition), s.from]));
}

export function hasData(spans: readonly PartitionSpan[]): boolean {
  return spans.some((s) => s.limit > s.from);
}

/** True when every partition of `end` has reached `target`. */
export function reached(end: PartitionOffsets, target: PartitionOffsets): boolean {
  return Object.entries(target).every(([p, t]) => (end[p] ?? 0) >= t);
}

export function sameOffsets(a: PartitionOffsets, b: PartitionOffsets): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (a[k] !== b[k]) return false;
  return true;
}

/** Bytes read per record in recent batches, for sources whose offsets say nothing about size. */
export interface RecordSize {
  readonly records: number;
  readonly bytes: number;
}

/**
 * The record budget of the next batch under both limits (Spark's maxOffsetsPerTrigger and
 * maxBytesPerTrigger). File sources apply the byte limit exactly while planning; for dense sources (Kafka,
 * Event Hubs) a record's size is unknown before it is read, so the byte limit becomes a record count from
 * the average size of the last batch read. Always at least one record.
 */
export function recordBudget(maxRecords: number, maxBytes: number, observed?: RecordSize): number {
  if (!observed || observed.records === 0 || observed.bytes === 0 || !Number.isFinite(maxBytes)) {
    return maxRecords;
  }
  const perRecord = observed.bytes / observed.records;
  return Math.max(1, Math.min(maxRecords, Math.floor(maxBytes / perRecord)));
}

/**
 * Refuses a planned end that leaves the span it was planned in (before the start, or beyond the latest
 * offset seen): such an end must never be logged in offsets/N.
 */
export function checkPlannedEnd(spans: readonly PartitionSpan[], end: PartitionOffsets): void {
  for (const s of spans) {
    const e = end[String(s.partition)];
    if (e === undefined) continue;
    if (!Number.isSafeInteger(e) || e < s.from || e > s.limit) {
      throw new DataIntegrityError(
        `refusing to log end offset ${e} of partition ${s.partition}: outside the readable span [${s.from}, ${s.limit}]`,
        { hint: 'a bug planned this batch; nothing was logged, the next start plans it again' },
      );
    }
  }
}
