import { formatNepalTime } from '../domain/time.js';
import {
  formatClock,
  formatCount,
  formatDuration,
  formatMoney,
  formatRate,
  formatSeconds,
  formatShare,
} from './display-format.js';
import type { MonitorSnapshot } from './monitor-snapshot.js';

/**
 * The plain headless form: one readable line per report, and a short summary at the end. No escape codes
 * (safe for `| cat`, log files and containers).
 */

export function plainLine(s: MonitorSnapshot): string {
  const parts: string[] = [];
  const time = `${formatNepalTime(s.nowMs, { date: false })} NPT`;
  const stream = s.stream;
  parts.push(`${time} ${stream ? stream.verdict : '--'}`);
  if (s.clockMs !== undefined)
    parts.push(`${s.clockKind === 'simulated' ? 'sim clock' : 'event time'} ${formatClock(s.clockMs)}`);
  if (stream) {
    const batch =
      stream.lastBatchId === null
        ? 'no batch yet'
        : `batch ${stream.lastBatchId} ${formatDuration(stream.batchDurationMs)}`;
    parts.push(`engine ${stream.engineStatus}, ${batch}`);
    parts.push(`in ${formatRate(stream.inputRate)} processed ${formatRate(stream.processedRate)}`);
    const worstSeconds = stream.partitions.reduce<number | null>(
      (m, p) => (p.lagSeconds === null ? m : Math.max(m ?? 0, p.lagSeconds)),
      null,
    );
    parts.push(`lag ${formatCount(stream.totalLag)} (${formatSeconds(worstSeconds)})`);
    if (stream.watermarkMs > 0) {
      parts.push(
        `watermark ${formatClock(stream.watermarkMs, true)} gap ${formatDuration(stream.watermarkGapMs)}`,
      );
    }
    parts.push(
      `dropped ${formatCount(stream.droppedByWatermark)} quarantined ${formatCount(stream.quarantined)}`,
    );
    if (stream.reason) parts.push(`why: ${stream.reason}`);
  }
  const load = s.load;
  if (load) {
    parts.push(
      `load ${formatRate(load.actualRate)} of ${load.targetRate === null ? 'max' : formatRate(load.targetRate)}, sent ${formatCount(load.acked)}, ack p99 ${load.ackP99Ms.toFixed(1)}ms, errors ${formatCount(load.errors)}, faults ${formatCount(load.faultsTotal)}`,
    );
  }
  const gold = s.gold;
  if (gold) {
    const top = gold.branches[0];
    parts.push(
      `gold${gold.branch ? ` [${gold.branch}]` : ''} ${formatMoney(gold.totals.revenue)} ${formatCount(gold.totals.orders)} orders${top ? `, top ${top.branch} ${formatShare(top.revenue, gold.chainRevenue)}` : ''}`,
    );
  }
  if (s.error) parts.push(`error: ${s.error}`);
  return parts.join(' | ');
}

/** The end-of-run summary: what gold holds and how to check it. */
export function plainSummary(
  s: MonitorSnapshot,
  options: { lakehouse?: string; top?: number } = {},
): string[] {
  const top = options.top ?? 5;
  const lines: string[] = [];
  const stream = s.stream;
  lines.push(
    `summary: verdict ${stream?.verdict ?? '--'}, ${formatCount(stream?.batches ?? 0)} batches, ${formatCount(stream?.inputRows ?? 0)} records, ${formatCount(stream?.quarantined ?? 0)} quarantined, ${formatCount(stream?.droppedByWatermark ?? 0)} dropped by watermark`,
  );
  const gold = s.gold;
  if (gold) {
    lines.push(
      `gold${gold.branch ? ` [${gold.branch}]` : ''} (all windows): revenue ${formatMoney(gold.totals.revenue)}, ${formatCount(gold.totals.orders)} orders, ${formatCount(gold.totals.items)} items`,
    );
    gold.branches.slice(0, top).forEach((b, i) => {
      lines.push(
        `  branch ${i + 1}. ${b.branch}: ${formatMoney(b.revenue)} (${formatShare(b.revenue, gold.chainRevenue)}), ${formatCount(b.orders)} orders`,
      );
    });
    gold.products.slice(0, top).forEach((p, i) => {
      lines.push(
        `  product ${i + 1}. ${p.itemName}: ${formatCount(p.quantity)} sold, ${formatMoney(p.revenue)}, ${formatCount(p.orders)} orders`,
      );
    });
    const last = gold.hourly[gold.hourly.length - 1];
    if (last) {
      lines.push(
        `  latest window ${formatClock(last.windowStartMs)}: ${formatMoney(last.revenue)}, ${formatCount(last.orders)} orders`,
      );
    }
  }
  if (options.lakehouse) {
    lines.push(
      `check it: brewline query "SELECT SUM(revenue), SUM(orders) FROM gold.branch_revenue" --lakehouse ${options.lakehouse}`,
    );
  }
  return lines;
}
