import type { SourceRecord, TimestampType } from '../types.js';

/** The parts of a Kafka v2 record batch the source needs (shape of @platformatic/kafka's RecordsBatch). */
export interface FetchedBatch {
  readonly firstOffset: bigint;
  readonly attributes: number;
  readonly firstTimestamp: bigint;
  readonly maxTimestamp: bigint;
  readonly records: readonly {
    readonly offsetDelta: number;
    readonly timestampDelta: bigint;
    readonly key: Uint8Array | null;
    readonly value: Uint8Array | null;
  }[];
}

/** Batch attribute bits (KIP-98 record batch format). */
const TIMESTAMP_TYPE_LOG_APPEND = 0b1000;
const CONTROL_BATCH = 0b10_0000;

const decoder = new TextDecoder('utf-8', { fatal: false });
const EMPTY = new Uint8Array(0);

function text(bytes: Uint8Array | null): string | null {
  return bytes === null ? null : decoder.decode(bytes);
}

/**
 * Turns fetched record batches into source records of [from, to), in offset order. Kafka returns whole
 * batches, so records before `from` (the batch started earlier) and from `to` on are cut off; control
 * batches (transaction markers) are not data. With LogAppendTime the broker's batch time is every record's
 * time; with CreateTime each record carries its own delta.
 */
export function recordsInRange(
  topic: string,
  partition: number,
  batches: readonly FetchedBatch[],
  from: number,
  to: number,
): SourceRecord[] {
  const out: SourceRecord[] = [];
  for (const batch of batches) {
    if ((batch.attributes & CONTROL_BATCH) !== 0) continue;
    const logAppend = (batch.attributes & TIMESTAMP_TYPE_LOG_APPEND) !== 0;
    const timestampType: TimestampType = logAppend ? 'LogAppendTime' : 'CreateTime';
    const base = Number(batch.firstOffset);
    for (const record of batch.records) {
      const offset = base + record.offsetDelta;
      if (offset < from || offset >= to) continue;
      out.push({
        topic,
        partition,
        offset,
        key: text(record.key),
        // The exact bytes (a tombstone's null becomes empty): bronze keeps them, silver checks their UTF-8.
        value: record.value ?? EMPTY,
        timestampMs: Number(logAppend ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta),
        timestampType,
      });
    }
  }
  return out;
}

/** The offset after the last record of the batches (where the next fetch continues), or undefined if none. */
export function nextOffsetAfter(batches: readonly FetchedBatch[]): number | undefined {
  let next: number | undefined;
  for (const batch of batches) {
    const last = batch.records[batch.records.length - 1];
    // An empty batch (all records compacted away) still advances by its declared offsets via lastOffsetDelta;
    // with no records we only know firstOffset.
    const end = Number(batch.firstOffset) + (last ? last.offsetDelta + 1 : 1);
    if (next === undefined || end > next) next = end;
  }
  return next;
}
