import type { LakehouseReader } from '../../src/backends/types.js';

/**
 * What the differential and crash tests compare between two lakehouses (any LakehouseReader: DuckDB file or
 * Delta folder), with every value as text so DECIMAL/TIMESTAMP/BIGINT compare exactly whatever the reader.
 */
export const COMPARED: Readonly<Record<string, string>> = {
  'gold.branch_revenue':
    'SELECT window_start, window_end, branch, revenue, orders, items FROM gold.branch_revenue ORDER BY 1, 3',
  'gold.product_popularity':
    'SELECT window_start, window_end, item_id, item_name, category, quantity, revenue, orders FROM gold.product_popularity ORDER BY 1, 3',
  'gold.hourly_sales':
    'SELECT window_start, window_end, revenue, orders, items, avg_order_value FROM gold.hourly_sales ORDER BY 1',
  'silver.order_items':
    'SELECT order_id, event_time, branch, terminal_id, mode_of_payment, line_no, item_id, item_name, category, unit_price, quantity, line_amount, order_total, source_partition, source_offset FROM silver.order_items ORDER BY 1, 6',
  'silver.quarantine':
    'SELECT source_partition, source_offset, reason FROM silver.quarantine ORDER BY 1, 2, 3',
  // Update mode's dropped orders (the query's name is each engine's own, so it is left out).
  'ops.watermark_drops':
    'SELECT batch_id, order_id, event_time, window_start, watermark, lines FROM ops.watermark_drops ORDER BY 2, 1',
};

export type Rows = string[][];

export async function rowsOf(reader: LakehouseReader, sql: string): Promise<Rows> {
  const result = await reader.query(sql);
  return result.rows.map((row) => row.map((v) => (v === null || v === undefined ? 'NULL' : String(v))));
}

/** A readable account of how two row lists differ (first rows only each side), or '' when equal. */
export function describeDifference(
  name: string,
  left: Rows,
  right: Rows,
  labels = ['embedded', 'spark'],
): string {
  const key = (r: string[]): string => JSON.stringify(r);
  const l = new Map<string, number>();
  for (const r of left) l.set(key(r), (l.get(key(r)) ?? 0) + 1);
  const r2 = new Map<string, number>();
  for (const r of right) r2.set(key(r), (r2.get(key(r)) ?? 0) + 1);
  const onlyLeft = [...l].filter(([k, n]) => (r2.get(k) ?? 0) < n).map(([k]) => k);
  const onlyRight = [...r2].filter(([k, n]) => (l.get(k) ?? 0) < n).map(([k]) => k);
  if (onlyLeft.length === 0 && onlyRight.length === 0) return '';
  return [
    `${name}: ${left.length} rows (${labels[0]}) vs ${right.length} (${labels[1]}); ${onlyLeft.length} only in ${labels[0]}, ${onlyRight.length} only in ${labels[1]}`,
    ...onlyLeft.slice(0, 5).map((k) => `  ${labels[0]} only: ${k}`),
    ...onlyRight.slice(0, 5).map((k) => `  ${labels[1]} only: ${k}`),
  ].join('\n');
}
