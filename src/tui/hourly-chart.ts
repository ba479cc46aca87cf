import asciichart from 'asciichart';
import { formatCompact, formatCount, formatMoney } from '../monitor/display-format.js';
import { GOLD_WINDOWS, type HourlySales } from '../monitor/feed-types.js';
import { HOUR_MS, nepalParts } from '../domain/time.js';
import { sparkline } from './sparkline.js';
import { span, type Line } from './spans.js';

export interface HourSlot {
  readonly startMs: number;
  readonly revenue: number;
  readonly orders: number;
}

/**
 * The last `count` hourly slots ending at the newest window, oldest first; hours without a gold row (the
 * chain is closed at night) are zero, so the axis stays one column group per hour.
 */
export function hourSlots(hourly: readonly HourlySales[], count = GOLD_WINDOWS): HourSlot[] {
  const newest = hourly[hourly.length - 1];
  if (!newest) return [];
  const byStart = new Map(hourly.map((h) => [h.windowStartMs, h]));
  const oldest = hourly[0]!.windowStartMs;
  const from = Math.max(oldest, newest.windowStartMs - (count - 1) * HOUR_MS);
  const slots: HourSlot[] = [];
  for (let t = from; t <= newest.windowStartMs; t += HOUR_MS) {
    const h = byStart.get(t);
    slots.push({ startMs: t, revenue: h?.revenue ?? 0, orders: h?.orders ?? 0 });
  }
  return slots;
}

const LABEL_WIDTH = 6;

/**
 * Panel 3: revenue per hourly window as an asciichart line, orders per window as bars under it, and the
 * local (Nepal) hour of each window. Each hour gets the same number of columns.
 */
export function hourlyChartLines(
  hourly: readonly HourlySales[] | undefined,
  width: number,
  height: number,
): Line[] {
  if (height <= 0) return [];
  if (!hourly) return [[span('waiting for gold…', undefined, { dim: true })]];
  const slots = hourSlots(hourly);
  if (slots.length === 0) return [[span('no hourly windows yet', undefined, { dim: true })]];
  const plotWidth = width - LABEL_WIDTH - 2;
  if (plotWidth < slots.length || height < 3) {
    const last = slots[slots.length - 1]!;
    return [
      [
        span(
          `latest ${hourLabel(last.startMs)}:00 ${formatMoney(last.revenue)}, ${formatCount(last.orders)} orders`,
        ),
      ],
    ];
  }
  const perSlot = Math.max(1, Math.min(8, Math.floor(plotWidth / slots.length)));
  const columns = slots.length * perSlot;
  // Plot coordinates only: the axis ticks are approximate by nature; every amount shown as text is exact.
  const revenue = slots.flatMap((s) => Array<number>(perSlot).fill(s.revenue / 100));
  // Orders get their own row only when the revenue line keeps at least 3 rows; otherwise they are in the title.
  const ordersRow = height >= 6;
  const chartHeight = Math.max(2, height - (ordersRow ? 2 : 1));
  const max = Math.max(1, ...revenue);
  const chart = asciichart
    .plot(revenue, {
      height: chartHeight - 1,
      min: 0,
      max,
      format: (x: number) => formatCompact(x).padStart(LABEL_WIDTH).slice(-LABEL_WIDTH),
    })
    .split('\n')
    .slice(0, chartHeight);
  const lines: Line[] = chart.map((row) => [
    span(row.slice(0, LABEL_WIDTH + 2), undefined, { dim: true }),
    span(row.slice(LABEL_WIDTH + 2, LABEL_WIDTH + 2 + columns), 'line'),
  ]);
  const pad = ' '.repeat(LABEL_WIDTH + 2);
  if (ordersRow && height - lines.length >= 2) {
    const maxOrders = Math.max(0, ...slots.map((s) => s.orders));
    const bars = slots.map((s) => sparkline([s.orders], 1, maxOrders).repeat(perSlot)).join('');
    lines.push([span('orders'.padStart(LABEL_WIDTH) + '  ', undefined, { dim: true }), span(bars, 'orders')]);
  }
  if (height - lines.length >= 1)
    lines.push([span(pad), span(hourAxis(slots, perSlot), undefined, { dim: true })]);
  return lines;
}

function hourLabel(ms: number): string {
  return String(nepalParts(ms).hour).padStart(2, '0');
}

/** Local-hour labels ("07", "08"…) under each slot, as many as fit without touching. */
export function hourAxis(slots: readonly HourSlot[], perSlot: number): string {
  const every = Math.max(1, Math.ceil(3 / perSlot));
  let out = '';
  slots.forEach((s, i) => {
    const at = i * perSlot;
    if (i % every === 0 && at >= out.length) out = out.padEnd(at) + hourLabel(s.startMs);
  });
  return out.slice(0, slots.length * perSlot);
}

/** Title detail: the newest window's exact figures. */
export function hourlySubtitle(hourly: readonly HourlySales[] | undefined): string | undefined {
  const last = hourly?.[hourly.length - 1];
  if (!last) return undefined;
  return `latest ${hourLabel(last.windowStartMs)}:00 ${formatMoney(last.revenue)}, ${formatCount(last.orders)} orders`;
}
