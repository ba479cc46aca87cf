/**
 * Spark's event-time watermark (WatermarkTracker): after each batch the candidate is the batch's max event
 * time minus the delay, kept only if larger, so it never moves back. It starts at 0 and takes effect from
 * the next batch (it is stored in offsets/N+1 and commits/N).
 */
export function advanceWatermark(
  currentMs: number,
  batchMaxEventTimeMs: number | undefined,
  delayMs: number,
): number {
  if (batchMaxEventTimeMs === undefined) return currentMs;
  return Math.max(currentMs, batchMaxEventTimeMs - delayMs);
}

/** A row of a windowed aggregation is late iff its window end is at or behind the watermark (equality is late). */
export function isWindowLate(windowEndMs: number, watermarkMs: number): boolean {
  return windowEndMs <= watermarkMs;
}

/**
 * The watermark that filters late rows in batch N (Spark's `getInputWatermarkForLateEvents`). With
 * `spark.sql.streaming.statefulOperator.allowMultiple=true` (Spark ≥ 3.4's default, which uses
 * PropagateWatermarkSimulator even for a single stateful operator) it is wm(N−1), the watermark of the batch
 * before, while state is still evicted with wm(N): nothing is dropped in batches 0 and 1. With
 * `allowMultiple=false` (UseSingleWatermarkPropagator) it is wm(N) itself.
 */
export function lateEventsWatermark(
  previousBatchWatermarkMs: number,
  batchWatermarkMs: number,
  allowMultiple: boolean,
): number {
  return allowMultiple ? previousBatchWatermarkMs : batchWatermarkMs;
}
