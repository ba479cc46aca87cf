import { paisaToDecimalString } from '../domain/money.js';
import type { MonitorSnapshot } from './monitor-snapshot.js';

/**
 * The stable machine form of a monitor snapshot: `monitor --json`, `demo --json` lines and the status
 * endpoint's `/api/status`. One casing (snake_case), a `schema` version on every object, money as exact
 * decimal strings ("1234.50"), times as ISO-8601 UTC strings, durations in `_ms`, ages in `_seconds`.
 * README "Machine-readable output" documents every field; a breaking change bumps the version.
 */
export const STATUS_SCHEMA = 'brewline.status/1';

const iso = (ms: number | undefined | null): string | null =>
  ms === undefined || ms === null || ms <= 0 ? null : new Date(ms).toISOString();

function goldJson(s: MonitorSnapshot, top: number): Record<string, unknown> | null {
  const gold = s.gold;
  if (!gold) return null;
  return {
    branch: gold.branch,
    revenue: paisaToDecimalString(gold.totals.revenue),
    orders: gold.totals.orders,
    items: gold.totals.items,
    chain_revenue: paisaToDecimalString(gold.chainRevenue),
    branches: gold.branches.slice(0, top).map((b) => ({
      branch: b.branch,
      revenue: paisaToDecimalString(b.revenue),
      orders: b.orders,
      items: b.items,
    })),
    products: gold.products.slice(0, top).map((p) => ({
      item_id: p.itemId,
      item_name: p.itemName,
      category: p.category,
      quantity: p.quantity,
      revenue: paisaToDecimalString(p.revenue),
      orders: p.orders,
    })),
    hourly: gold.hourly.map((h) => ({
      window_start: iso(h.windowStartMs),
      revenue: paisaToDecimalString(h.revenue),
      orders: h.orders,
      items: h.items,
    })),
  };
}

/** The snapshot as a `brewline.status/1` object (`type` is "status" or "summary" in JSON lines). */
export function jsonStatus(
  s: MonitorSnapshot,
  type: 'status' | 'summary' = 'status',
  top = 10,
): Record<string, unknown> {
  const stream = s.stream;
  const load = s.load;
  return {
    schema: STATUS_SCHEMA,
    type,
    time: iso(s.nowMs),
    mode: s.mode,
    source: s.source,
    sink: s.sink,
    updated_at: iso(s.updatedAtMs),
    liveness: s.liveness,
    clock: iso(s.clockMs),
    clock_kind: s.clockKind,
    error: s.error ?? null,
    stream: stream
      ? {
          verdict: stream.verdict,
          reason: stream.reason,
          engine_status: stream.engineStatus,
          query_name: stream.queryName,
          last_batch_id: stream.lastBatchId,
          batch_duration_ms: stream.batchDurationMs,
          input_rows_per_second: stream.inputRate,
          processed_rows_per_second: stream.processedRate,
          offset_unit: stream.offsetUnit,
          total_lag: stream.totalLag,
          backlog_records: stream.backlogRecords,
          lag_seconds: stream.lagMs === null ? null : stream.lagMs / 1000,
          partitions: stream.partitions.map((p) => ({
            partition: p.partition,
            latest: p.latest,
            committed: p.committed,
            lag: p.lag,
            lag_seconds: p.lagSeconds,
            verdict: p.verdict,
            reason: p.reason,
          })),
          watermark: iso(stream.watermarkMs),
          watermark_gap_ms: stream.watermarkGapMs,
          dropped_by_watermark: stream.droppedByWatermark,
          quarantined: stream.quarantined,
          state_rows: stream.stateRows,
          batches: stream.batches,
          input_rows: stream.inputRows,
          since_progress_ms: stream.sinceProgressMs,
          error: stream.error ?? null,
        }
      : null,
    load: load
      ? {
          status: load.status,
          target_rate: load.targetRate,
          actual_rate: load.actualRate,
          generated: load.generated,
          acked: load.acked,
          rejected: load.rejected,
          errors: load.errors,
          throttled: load.throttled,
          orders: load.orders,
          in_flight: load.inFlight,
          ack_p50_ms: load.ackP50Ms,
          ack_p99_ms: load.ackP99Ms,
          faults: load.faults,
          last_error: load.lastError ?? null,
        }
      : null,
    gold: goldJson(s, top),
  };
}
