/**
 * An independent recomputation of the expected gold tables from raw NDJSON lines, written apart from the
 * simulator's ledger code: it knows only the event contract (validateOrderText), Spark's window rule and
 * DOMAIN.md's gold definitions. Money is summed as BigInt paisa.
 */
import type { Catalog } from '../../../src/domain/catalog.js';
import { validateOrderText } from '../../../src/domain/order-event.js';

export interface RecomputedGold {
  branch_revenue: {
    window_start: string;
    window_end: string;
    branch: string;
    revenue: string;
    orders: number;
    items: number;
  }[];
  product_popularity: {
    window_start: string;
    window_end: string;
    item_id: string;
    item_name: string;
    category: string;
    quantity: number;
    revenue: string;
    orders: number;
  }[];
  hourly_sales: {
    window_start: string;
    window_end: string;
    revenue: string;
    orders: number;
    items: number;
    avg_order_value: string;
  }[];
  validOrders: number;
  duplicates: number;
  notJson: number;
  invalid: number;
}

function decimal(paisa: bigint): string {
  const neg = paisa < 0n;
  const abs = neg ? -paisa : paisa;
  return `${neg ? '-' : ''}${abs / 100n}.${(abs % 100n).toString().padStart(2, '0')}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

/** Spark: start = ts − ((ts − startTime) mod slide), tumbling windows. */
function sparkWindowStart(ts: number, duration: number, offset: number): number {
  return ts - ((((ts - offset) % duration) + duration) % duration);
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function recomputeGold(
  lines: readonly string[],
  catalog: Catalog,
  window: { durationMs: number; offsetMs: number } = { durationMs: 3_600_000, offsetMs: 900_000 },
): RecomputedGold {
  const seen = new Set<string>();
  const branch = new Map<string, { revenue: bigint; orders: number; items: number }>();
  const product = new Map<
    string,
    { revenue: bigint; orders: number; quantity: number; name: string; category: string }
  >();
  const hourly = new Map<number, { revenue: bigint; orders: number; items: number }>();
  let duplicates = 0;
  let notJson = 0;
  let invalid = 0;
  for (const line of lines) {
    const v = validateOrderText(line, catalog);
    if (!v.ok) {
      if (v.rule === 'not_json') notJson++;
      else invalid++;
      continue;
    }
    const o = v.order;
    if (seen.has(o.orderId)) {
      duplicates++;
      continue;
    }
    seen.add(o.orderId);
    const ws = sparkWindowStart(o.eventTimeMs, window.durationMs, window.offsetMs);
    let revenue = 0n;
    let units = 0;
    for (const l of o.lines) {
      revenue += BigInt(l.amountPaisa);
      units += l.quantity;
      const pk = `${ws}|${l.itemId}`;
      const p = product.get(pk) ?? {
        revenue: 0n,
        orders: 0,
        quantity: 0,
        name: l.itemName,
        category: l.category,
      };
      p.revenue += BigInt(l.amountPaisa);
      p.orders += 1;
      p.quantity += l.quantity;
      product.set(pk, p);
    }
    const bk = `${ws}|${o.branch}`;
    const b = branch.get(bk) ?? { revenue: 0n, orders: 0, items: 0 };
    b.revenue += revenue;
    b.orders += 1;
    b.items += units;
    branch.set(bk, b);
    const h = hourly.get(ws) ?? { revenue: 0n, orders: 0, items: 0 };
    h.revenue += revenue;
    h.orders += 1;
    h.items += units;
    hourly.set(ws, h);
  }
  const split = (k: string): [number, string] => {
    const i = k.indexOf('|');
    return [Number(k.slice(0, i)), k.slice(i + 1)];
  };
  const branch_revenue = [...branch.entries()]
    .map(([k, v]) => {
      const [ws, name] = split(k);
      return { ws, name, v };
    })
    .sort((a, b) => a.ws - b.ws || cmp(a.name, b.name))
    .map(({ ws, name, v }) => ({
      window_start: iso(ws),
      window_end: iso(ws + window.durationMs),
      branch: name,
      revenue: decimal(v.revenue),
      orders: v.orders,
      items: v.items,
    }));
  const product_popularity = [...product.entries()]
    .map(([k, v]) => {
      const [ws, id] = split(k);
      return { ws, id, v };
    })
    .sort((a, b) => a.ws - b.ws || cmp(a.id, b.id))
    .map(({ ws, id, v }) => ({
      window_start: iso(ws),
      window_end: iso(ws + window.durationMs),
      item_id: id,
      item_name: v.name,
      category: v.category,
      quantity: v.quantity,
      revenue: decimal(v.revenue),
      orders: v.orders,
    }));
  const hourly_sales = [...hourly.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([ws, v]) => {
      // Half-up rounding of revenue / orders to whole paisa.
      const avg = (v.revenue * 2n + BigInt(v.orders)) / (2n * BigInt(v.orders));
      return {
        window_start: iso(ws),
        window_end: iso(ws + window.durationMs),
        revenue: decimal(v.revenue),
        orders: v.orders,
        items: v.items,
        avg_order_value: decimal(avg),
      };
    });
  return {
    branch_revenue,
    product_popularity,
    hourly_sales,
    validOrders: seen.size,
    duplicates,
    notJson,
    invalid,
  };
}

/** Splits an NDJSON buffer into lines as text (binary lines decode with U+FFFD, like bronze does). */
export function ndjsonLines(bytes: Uint8Array): string[] {
  const text = new TextDecoder().decode(bytes);
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}
