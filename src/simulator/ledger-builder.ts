import type { Catalog } from '../domain/catalog.js';
import {
  FAULT_KINDS,
  LEDGER_VERSION,
  type FaultKind,
  type Ledger,
  type LedgerBranchWindow,
  type LedgerHourlyWindow,
  type LedgerProductWindow,
} from '../domain/ledger.js';
import { averagePaisa, paisaToDecimalString } from '../domain/money.js';
import { formatEventTime, windowStart, type WindowSpec } from '../domain/time.js';
import type { MessageKind } from './order-stream.js';

/** Running totals of one gold window. Money in paisa (safe integers far beyond any run's revenue). */
interface WindowTotals {
  revenue: number;
  orders: number;
  items: number;
  branchRevenue: Float64Array;
  branchOrders: Float64Array;
  branchItems: Float64Array;
  itemQuantity: Float64Array;
  itemRevenue: Float64Array;
  itemOrders: Float64Array;
}

/** A valid order as the ledger needs it (what silver will hold for it). */
export interface LedgerOrder {
  branchIndex: number;
  eventMs: number;
  lineCount: number;
  itemIndex: ArrayLike<number>;
  quantity: ArrayLike<number>;
}

/**
 * Accumulates the ground truth of what was actually sent: expected gold rows as complete mode computes
 * them (every valid order once, in the window of its event time), fault counts and ids, message counts.
 */
export class LedgerBuilder {
  private readonly windows = new Map<number, WindowTotals>();
  private readonly faults = Object.fromEntries(
    FAULT_KINDS.map((k) => [k, { count: 0, order_ids: [] as string[] }]),
  ) as Record<FaultKind, { count: number; order_ids: string[] }>;
  private readonly prices: Int32Array;
  sent = 0;
  rejected = 0;
  orders = 0;
  lines = 0;
  items = 0;
  revenue = 0;
  private firstEventMs = Infinity;
  private lastEventMs = -Infinity;

  constructor(
    private readonly catalog: Catalog,
    private readonly window: WindowSpec,
  ) {
    this.prices = Int32Array.from(catalog.items, (i) => i.pricePaisa);
  }

  /** A message the sink acknowledged. */
  recordSent(kind: MessageKind, orderId: string, order: LedgerOrder | undefined): void {
    this.sent++;
    if (kind !== 'order') {
      const f = this.faults[kind];
      f.count++;
      if (orderId !== '') f.order_ids.push(orderId);
    }
    if (order !== undefined && (kind === 'order' || kind === 'late' || kind === 'very_late'))
      this.addOrder(order);
  }

  /** A message refused before or by the sink (never sent). Only `oversize` counts as a fault then. */
  recordRejected(kind: MessageKind, orderId: string): void {
    this.rejected++;
    if (kind === 'oversize') {
      this.faults.oversize.count++;
      if (orderId !== '') this.faults.oversize.order_ids.push(orderId);
    }
  }

  private addOrder(o: LedgerOrder): void {
    const start = windowStart(o.eventMs, this.window);
    let w = this.windows.get(start);
    if (w === undefined) {
      const nb = this.catalog.branches.length;
      const ni = this.catalog.items.length;
      w = {
        revenue: 0,
        orders: 0,
        items: 0,
        branchRevenue: new Float64Array(nb),
        branchOrders: new Float64Array(nb),
        branchItems: new Float64Array(nb),
        itemQuantity: new Float64Array(ni),
        itemRevenue: new Float64Array(ni),
        itemOrders: new Float64Array(ni),
      };
      this.windows.set(start, w);
    }
    let revenue = 0;
    let units = 0;
    for (let i = 0; i < o.lineCount; i++) {
      const item = o.itemIndex[i]!;
      const q = o.quantity[i]!;
      const amount = this.prices[item]! * q;
      revenue += amount;
      units += q;
      w.itemQuantity[item]! += q;
      w.itemRevenue[item]! += amount;
      w.itemOrders[item]! += 1;
    }
    w.revenue += revenue;
    w.orders += 1;
    w.items += units;
    w.branchRevenue[o.branchIndex]! += revenue;
    w.branchOrders[o.branchIndex]! += 1;
    w.branchItems[o.branchIndex]! += units;
    this.orders++;
    this.lines += o.lineCount;
    this.items += units;
    this.revenue += revenue;
    if (o.eventMs < this.firstEventMs) this.firstEventMs = o.eventMs;
    if (o.eventMs > this.lastEventMs) this.lastEventMs = o.eventMs;
  }

  faultCounts(): Record<FaultKind, number> {
    return Object.fromEntries(FAULT_KINDS.map((k) => [k, this.faults[k].count])) as Record<FaultKind, number>;
  }

  /** The ledger document; arrays sorted by window start, then branch name / item id (code-unit order). */
  build(meta: { config: Record<string, unknown>; seed: number; complete: boolean }): Ledger {
    const byName = (a: { name: string }, b: { name: string }): number =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
    const branches = [...this.catalog.branches].sort(byName);
    const items = [...this.catalog.items].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const branchRows: LedgerBranchWindow[] = [];
    const productRows: LedgerProductWindow[] = [];
    const hourlyRows: LedgerHourlyWindow[] = [];
    for (const start of [...this.windows.keys()].sort((a, b) => a - b)) {
      const w = this.windows.get(start)!;
      const window_start = formatEventTime(start);
      const window_end = formatEventTime(start + this.window.durationMs);
      for (const b of branches) {
        const orders = w.branchOrders[b.index]!;
        if (orders === 0) continue;
        branchRows.push({
          window_start,
          window_end,
          branch: b.name,
          revenue: paisaToDecimalString(w.branchRevenue[b.index]!),
          orders,
          items: w.branchItems[b.index]!,
        });
      }
      for (const it of items) {
        const orders = w.itemOrders[it.index]!;
        if (orders === 0) continue;
        productRows.push({
          window_start,
          window_end,
          item_id: it.id,
          item_name: it.name,
          category: it.category,
          quantity: w.itemQuantity[it.index]!,
          revenue: paisaToDecimalString(w.itemRevenue[it.index]!),
          orders,
        });
      }
      hourlyRows.push({
        window_start,
        window_end,
        revenue: paisaToDecimalString(w.revenue),
        orders: w.orders,
        items: w.items,
        avg_order_value: paisaToDecimalString(averagePaisa(w.revenue, w.orders)),
      });
    }
    return {
      ledger_version: LEDGER_VERSION,
      generator: 'brewline',
      config: meta.config,
      seed: meta.seed,
      window: { duration_ms: this.window.durationMs, start_offset_ms: this.window.startOffsetMs },
      complete: meta.complete,
      messages: { sent: this.sent, rejected: this.rejected },
      totals: {
        orders: this.orders,
        lines: this.lines,
        items: this.items,
        revenue: paisaToDecimalString(this.revenue),
        first_event_time: this.orders > 0 ? formatEventTime(this.firstEventMs) : null,
        last_event_time: this.orders > 0 ? formatEventTime(this.lastEventMs) : null,
      },
      faults: Object.fromEntries(
        FAULT_KINDS.map((k) => [
          k,
          { count: this.faults[k].count, order_ids: [...this.faults[k].order_ids] },
        ]),
      ) as Ledger['faults'],
      gold: { branch_revenue: branchRows, product_popularity: productRows, hourly_sales: hourlyRows },
    };
  }
}
