import { paisaToDecimalString } from '../domain/money.js';
import type { MonitorSnapshot } from './monitor-snapshot.js';

/**
 * The JSON-lines headless form: one object per report (`type: "status"`) and one at the end
 * (`type: "summary"`). Money is an exact decimal string ("1234.50"), times are ISO-8601 UTC.
 */

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function goldJson(s: MonitorSnapshot, top: number): Record<string, unknown> | null {
  const gold = s.gold;
  if (!gold) return null;
  return {
    branch: gold.branch,
    revenue: paisaToDecimalString(gold.totals.revenue),
    orders: gold.totals.orders,
    items: gold.totals.items,
    chainRevenue: paisaToDecimalString(gold.chainRevenue),
    branches: gold.branches.slice(0, top).map((b) => ({
      branch: b.branch,
      revenue: paisaToDecimalString(b.revenue),
      orders: b.orders,
      items: b.items,
    })),
    products: gold.products.slice(0, top).map((p) => ({
      itemId: p.itemId,
      itemName: p.itemName,
      quantity: p.quantity,
      revenue: paisaToDecimalString(p.revenue),
      orders: p.orders,
    })),
    hourly: gold.hourly.map((h) => ({
      windowStart: iso(h.windowStartMs),
      revenue: paisaToDecimalString(h.revenue),
      orders: h.orders,
      items: h.items,
    })),
  };
}

export function jsonLine(s: MonitorSnapshot, type: 'status' | 'summary' = 'status', top = 10): string {
  const stream = s.stream;
  const load = s.load;
  return JSON.stringify({
    type,
    time: iso(s.nowMs),
    mode: s.mode,
    source: s.source,
    sink: s.sink,
    updatedAt: iso(s.updatedAtMs),
    clock: iso(s.clockMs),
    clockKind: s.clockKind,
    error: s.error ?? null,
    stream: stream
      ? {
          verdict: stream.verdict,
          reason: stream.reason,
          engineStatus: stream.engineStatus,
          lastBatchId: stream.lastBatchId,
          batchDurationMs: stream.batchDurationMs,
          inputRowsPerSecond: stream.inputRate,
          processedRowsPerSecond: stream.processedRate,
          totalLag: stream.totalLag,
          partitions: stream.partitions.map((p) => ({
            partition: p.partition,
            latest: p.latest,
            committed: p.committed,
            lag: p.lag,
            lagSeconds: p.lagSeconds,
            verdict: p.verdict,
          })),
          watermark: iso(stream.watermarkMs),
          watermarkGapMs: stream.watermarkGapMs,
          droppedByWatermark: stream.droppedByWatermark,
          quarantined: stream.quarantined,
          stateRows: stream.stateRows,
          batches: stream.batches,
          inputRows: stream.inputRows,
          sinceProgressMs: stream.sinceProgressMs,
          error: stream.error ?? null,
        }
      : null,
    load: load
      ? {
          status: load.status,
          targetRate: load.targetRate,
          actualRate: load.actualRate,
          generated: load.generated,
          acked: load.acked,
          rejected: load.rejected,
          errors: load.errors,
          ackP50Ms: load.ackP50Ms,
          ackP99Ms: load.ackP99Ms,
          faults: load.faults,
        }
      : null,
    gold: goldJson(s, top),
  });
}
