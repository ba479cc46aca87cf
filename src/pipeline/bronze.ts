import type { SourceRecord } from '../backends/types.js';

/**
 * Bronze keeps every message exactly as it arrived, with where it came from (topic, partition, offset,
 * broker time) and when and in which batch it was ingested. Nothing is parsed or dropped here.
 */
export interface BronzeBatch {
  readonly batchId: number;
  /** When the batch was ingested (its trigger time), epoch ms. */
  readonly ingestionMs: number;
  readonly records: readonly SourceRecord[];
}

export function toBronze(
  records: readonly SourceRecord[],
  batchId: number,
  ingestionMs: number,
): BronzeBatch {
  return { batchId, ingestionMs, records };
}
