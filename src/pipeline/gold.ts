import type { OutputMode } from '../config/pipeline-config.js';
import { averagePaisa, type Paisa } from '../domain/money.js';
import { windowStart, type WindowSpec } from '../domain/time.js';
import type { SilverOrder } from './silver.js';
import { isWindowLate } from './watermark.js';

/** What gold needs to know to aggregate: the tumbling window and the output mode. */
export interface GoldSpec {
  readonly window: WindowSpec;
  readonly outputMode: OutputMode;
}

export interface BranchWindow {
  windowStartMs: number;
  branch: string;
  revenuePaisa: Paisa;
  orders: number;
  items: number;
}

export interface ProductWindow {
  windowStartMs: number;
  itemId: string;
  itemName: string;
  category: string;
  quantity: number;
  revenuePaisa: Paisa;
  orders: number;
}

export interface HourlyWindow {
  windowStartMs: number;
  revenuePaisa: Paisa;
  orders: number;
  items: number;
}

/** The three aggregations' state (Spark's state store): one entry per window × key. */
export interface GoldState {
  readonly branch: Map<string, BranchWindow>;
  readonly product: Map<string, ProductWindow>;
  readonly hourly: Map<number, HourlyWindow>;
}

export function emptyGoldState(): GoldState {
  return { branch: new Map(), product: new Map(), hourly: new Map() };
}

/** Result rows to upsert into the gold tables: the new value of every updated window × key. */
export interface GoldUpdates {
  readonly branch: readonly BranchWindow[];
  readonly product: readonly ProductWindow[];
  readonly hourly: readonly HourlyWindow[];
}

/** An order the watermark dropped (update mode): recorded so `verify` can account for it. */
export interface WatermarkDrop {
  readonly orderId: string;
  readonly eventTimeMs: number;
  readonly windowStartMs: number;
  readonly lines: number;
}

/**
 * What the late-row filter dropped in one batch. Per operator, Spark's `numRowsDroppedByWatermark` counts the
 * rows reaching the state store after partial aggregation: distinct late (window, key) groups of that
 * aggregation, not input rows. Orders and lines are brewline's extra counts of the same drops.
 */
export interface WatermarkDropCounts {
  readonly branch: number;
  readonly product: number;
  readonly hourly: number;
  readonly orders: number;
  readonly lines: number;
}

export const NO_DROPS: WatermarkDropCounts = { branch: 0, product: 0, hourly: 0, orders: 0, lines: 0 };

/**
 * Largest gold sum kept exact: revenue (paisa) and unit counts are JS numbers, exact up to 2^53 − 1, which is
 * below DECIMAL(18,2)'s and BIGINT's limits — so an order that would push a window's sum past it is not
 * aggregated (the engine quarantines it under rule `range` and aggregates the batch again without it).
 */
export const MAX_GOLD_SUM = Number.MAX_SAFE_INTEGER;

export interface GoldBatch {
  readonly updates: GoldUpdates;
  /** Orders that would overflow a gold sum, with the reason; when any, the batch must be aggregated again without them. */
  readonly overflow: ReadonlyMap<string, string>;
  readonly drops: readonly WatermarkDrop[];
  readonly dropped: WatermarkDropCounts;
  /** Event-time stats of the rows gold saw (including late ones), for the watermark and progress. */
  readonly eventTime: { min: number; max: number; sum: number; count: number } | undefined;
}

export const branchKey = (windowStartMs: number, branch: string): string => `${windowStartMs}|${branch}`;
export const productKey = (windowStartMs: number, itemId: string): string => `${windowStartMs}|${itemId}`;

/**
 * Aggregates a batch of new silver orders into gold without touching `state`: late rows (window end ≤
 * `lateWatermarkMs`) are dropped in update mode only; complete mode keeps everything. The caller picks the
 * late-events watermark: wm(N−1) under Spark's default (`statefulOperator.allowMultiple=true`), wm(N)
 * without it (see `lateEventsWatermark`). Returns the updated rows; `applyGold` makes them the new state
 * once the batch has committed.
 */
export function aggregateGold(
  state: GoldState,
  orders: readonly SilverOrder[],
  lateWatermarkMs: number,
  spec: GoldSpec,
): GoldBatch {
  // Batch-local accumulators keyed window → key (nested maps: no per-row key strings to allocate).
  const branch = new Map<number, Map<string, BranchWindow>>();
  const product = new Map<number, Map<string, ProductWindow>>();
  const hourly = new Map<number, HourlyWindow>();
  const drops: WatermarkDrop[] = [];
  const overflow = new Map<string, string>();
  let lateGroups: { branch: Set<string>; product: Set<string>; hourly: Set<number> } | undefined;
  let lateLines = 0;
  let eventTime: GoldBatch['eventTime'];
  const duration = spec.window.durationMs;

  for (const order of orders) {
    const ts = order.eventTimeMs;
    if (eventTime) {
      if (ts < eventTime.min) eventTime.min = ts;
      if (ts > eventTime.max) eventTime.max = ts;
      eventTime.sum += ts;
      eventTime.count += 1;
    } else {
      eventTime = { min: ts, max: ts, sum: ts, count: 1 };
    }
    const start = windowStart(ts, spec.window);
    if (spec.outputMode === 'update' && isWindowLate(start + duration, lateWatermarkMs)) {
      drops.push({
        orderId: order.orderId,
        eventTimeMs: ts,
        windowStartMs: start,
        lines: order.lines.length,
      });
      lateLines += order.lines.length;
      lateGroups ??= { branch: new Set(), product: new Set(), hourly: new Set() };
      lateGroups.branch.add(branchKey(start, order.branch));
      lateGroups.hourly.add(start);
      for (const line of order.lines) lateGroups.product.add(productKey(start, line.itemId));
      continue;
    }
    let units = 0;
    for (const line of order.lines) units += line.quantity;
    const orderRevenue = order.totalPaisa;
    const sums = goldSumsAfter(state, hourly, start, order, units);
    if (sums > MAX_GOLD_SUM) {
      overflow.set(
        order.orderId,
        `range: the order would take a gold sum of window ${new Date(start).toISOString()} past ${MAX_GOLD_SUM} (exact limit of revenue in paisa and of unit counts)`,
      );
      continue;
    }

    let branches = branch.get(start);
    if (!branches) branch.set(start, (branches = new Map()));
    let b = branches.get(order.branch);
    if (!b) {
      b = copyOr(state.branch.get(branchKey(start, order.branch)), () => emptyBranch(start, order.branch));
      branches.set(order.branch, b);
    }
    b.revenuePaisa += orderRevenue;
    b.orders += 1;
    b.items += units;

    let h = hourly.get(start);
    if (!h) {
      h = copyOr(state.hourly.get(start), () => emptyHourly(start));
      hourly.set(start, h);
    }
    h.revenuePaisa += orderRevenue;
    h.orders += 1;
    h.items += units;

    let items = product.get(start);
    if (!items) product.set(start, (items = new Map()));
    // Items are distinct within an order (the contract), so each line adds one order to its item.
    for (const line of order.lines) {
      let p = items.get(line.itemId);
      if (!p) {
        p = copyOr(state.product.get(productKey(start, line.itemId)), () => ({
          windowStartMs: start,
          itemId: line.itemId,
          itemName: line.itemName,
          category: line.category,
          quantity: 0,
          revenuePaisa: 0,
          orders: 0,
        }));
        items.set(line.itemId, p);
      }
      p.quantity += line.quantity;
      p.revenuePaisa += line.amountPaisa;
      p.orders += 1;
    }
  }
  return {
    overflow,
    updates: {
      branch: [...branch.values()].flatMap((m) => [...m.values()]),
      product: [...product.values()].flatMap((m) => [...m.values()]),
      hourly: [...hourly.values()],
    },
    drops,
    dropped: lateGroups
      ? {
          branch: lateGroups.branch.size,
          product: lateGroups.product.size,
          hourly: lateGroups.hourly.size,
          orders: drops.length,
          lines: lateLines,
        }
      : NO_DROPS,
    eventTime,
  };
}

/**
 * The largest gold sum (revenue in paisa, units) this order would produce: its window's hourly sums, which
 * include every branch's and every item's of the same window, so they bound all three aggregations.
 */
function goldSumsAfter(
  state: GoldState,
  hourly: ReadonlyMap<number, HourlyWindow>,
  start: number,
  order: SilverOrder,
  units: number,
): number {
  const h = hourly.get(start) ?? state.hourly.get(start);
  return Math.max((h?.revenuePaisa ?? 0) + order.totalPaisa, (h?.items ?? 0) + units);
}

function copyOr<T extends object>(existing: T | undefined, create: () => T): T {
  return existing ? { ...existing } : create();
}

function emptyBranch(windowStartMs: number, branch: string): BranchWindow {
  return { windowStartMs, branch, revenuePaisa: 0, orders: 0, items: 0 };
}

function emptyHourly(windowStartMs: number): HourlyWindow {
  return { windowStartMs, revenuePaisa: 0, orders: 0, items: 0 };
}

export interface OperatorStats {
  readonly operatorName: string;
  readonly numRowsTotal: number;
  readonly numRowsUpdated: number;
  readonly numRowsRemoved: number;
}

/**
 * Commits a batch's updates into the state and, in update mode, evicts windows whose end is at or behind
 * `evictionWatermarkMs` (the batch's watermark): bounded memory. Complete mode never evicts.
 */
export function applyGold(
  state: GoldState,
  updates: GoldUpdates,
  evictionWatermarkMs: number,
  spec: GoldSpec,
): OperatorStats[] {
  for (const row of updates.branch) state.branch.set(branchKey(row.windowStartMs, row.branch), row);
  for (const row of updates.product) state.product.set(productKey(row.windowStartMs, row.itemId), row);
  for (const row of updates.hourly) state.hourly.set(row.windowStartMs, row);
  const removed = { branch: 0, product: 0, hourly: 0 };
  if (spec.outputMode === 'update') {
    const late = (start: number): boolean =>
      isWindowLate(start + spec.window.durationMs, evictionWatermarkMs);
    removed.branch = evict(state.branch, late);
    removed.product = evict(state.product, late);
    removed.hourly = evict(state.hourly, late);
  }
  return [
    {
      operatorName: 'gold.branch_revenue',
      numRowsTotal: state.branch.size,
      numRowsUpdated: updates.branch.length,
      numRowsRemoved: removed.branch,
    },
    {
      operatorName: 'gold.product_popularity',
      numRowsTotal: state.product.size,
      numRowsUpdated: updates.product.length,
      numRowsRemoved: removed.product,
    },
    {
      operatorName: 'gold.hourly_sales',
      numRowsTotal: state.hourly.size,
      numRowsUpdated: updates.hourly.length,
      numRowsRemoved: removed.hourly,
    },
  ];
}

function evict<K, V extends { windowStartMs: number }>(
  map: Map<K, V>,
  late: (start: number) => boolean,
): number {
  let removed = 0;
  for (const [key, value] of map) {
    if (late(value.windowStartMs)) {
      map.delete(key);
      removed++;
    }
  }
  return removed;
}

/** avg_order_value of an hourly row: revenue / orders, half-up to the paisa. */
export function hourlyAverage(row: HourlyWindow): Paisa {
  return averagePaisa(row.revenuePaisa, row.orders);
}
