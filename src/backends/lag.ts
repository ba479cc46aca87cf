import { ConfigError } from '../errors.js';
import type { LagProbe, PartitionOffsets, PartitionPosition } from './types.js';

/** One row of `kafka-consumer-groups --describe`, plus lag in seconds. */
export interface PartitionLag {
  readonly partition: number;
  /** Next offset to process (the group's committed offset); undefined when nothing was committed. */
  readonly currentOffset: number | undefined;
  /** The partition's log end offset (latest). */
  readonly logEndOffset: number;
  /** logEndOffset − currentOffset (from the earliest available offset when nothing was committed). */
  readonly lag: number;
  /** Age of the oldest unprocessed record in seconds (0 when caught up, undefined when unknown). */
  readonly lagSeconds: number | undefined;
}

/**
 * Lag per partition, computed at read time against fresh positions (never stale commits, SEMANTICS.md):
 * offsets behind the log end, and seconds since the next unprocessed record was written.
 */
export function lagRows(
  positions: readonly PartitionPosition[],
  processed: PartitionOffsets,
  nextRecordTimestamps: ReadonlyMap<number, number | undefined>,
  nowMs: number,
): PartitionLag[] {
  return positions.map((position) => {
    const committed = processed[String(position.partition)];
    const from = Math.max(committed ?? position.earliest, position.earliest);
    const lag = Math.max(0, position.latest - from);
    const ts = nextRecordTimestamps.get(position.partition);
    return {
      partition: position.partition,
      currentOffset: committed,
      logEndOffset: position.latest,
      lag,
      lagSeconds: lag === 0 ? 0 : ts === undefined ? undefined : Math.max(0, (nowMs - ts) / 1000),
    };
  });
}

/**
 * Reads lag from a probe: against `processed` offsets (e.g. the pipeline's checkpoint) or, given a group
 * name, against that consumer group's committed offsets — the same numbers `kafka-consumer-groups
 * --describe --group G` prints (CURRENT-OFFSET, LOG-END-OFFSET, LAG).
 */
export async function readLag(
  probe: LagProbe,
  processed: PartitionOffsets | { group: string },
  nowMs: number = Date.now(),
): Promise<PartitionLag[]> {
  let offsets: PartitionOffsets;
  if ('group' in processed && typeof processed.group === 'string') {
    if (!probe.groupOffsets)
      throw new ConfigError(`${probe.description} has no consumer groups to read`, {
        hint: "--group works with --source kafka, or eventhubs with a blob checkpoint store; --checkpoint gives the pipeline's own position",
      });
    offsets = await probe.groupOffsets(processed.group);
  } else {
    offsets = processed as PartitionOffsets;
  }
  const positions = await probe.positions();
  const timestamps = new Map<number, number | undefined>();
  await Promise.all(
    positions.map(async (p) => {
      const next = Math.max(offsets[String(p.partition)] ?? p.earliest, p.earliest);
      if (next < p.latest && probe.timestampAt)
        timestamps.set(p.partition, await probe.timestampAt(p.partition, next));
    }),
  );
  return lagRows(positions, offsets, timestamps, nowMs);
}
