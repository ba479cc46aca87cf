import type { LakehouseReader } from '../backends/types.js';
import { paisaFromDecimalString } from '../domain/money.js';
import type { LakehouseFacts, VerifyRule } from './compare.js';

const ms = (v: unknown): number => Date.parse(String(v));
const int = (v: unknown): number => Number(v ?? 0);
const money = (v: unknown): number => paisaFromDecimalString(String(v ?? '0'));

/**
 * The rule a query ran with, as the lakehouse records it (ops.query_settings); undefined for a lakehouse
 * written before the table existed, or when the reader has no such table (another engine's lakehouse).
 */
export async function readQuerySettings(
  reader: LakehouseReader,
  queryName: string,
): Promise<VerifyRule | undefined> {
  const name = queryName.replace(/'/g, "''");
  try {
    const { rows } = await reader.query(
      `SELECT output_mode, stateful_operator_allow_multiple FROM ops.query_settings WHERE query_name = '${name}'`,
    );
    const row = rows[0];
    if (!row) return undefined;
    const mode = String(row[0]);
    if (mode !== 'complete' && mode !== 'update') return undefined;
    return { outputMode: mode, statefulOperatorAllowMultiple: row[1] === true || row[1] === 'true' };
  } catch {
    return undefined;
  }
}

/** Reads what `compareWithLedger` needs from a lakehouse, through its SQL reader. */
export async function readLakehouseFacts(
  reader: LakehouseReader,
  queryName: string,
): Promise<LakehouseFacts> {
  const q = async (sql: string): Promise<(readonly unknown[])[]> => [...(await reader.query(sql)).rows];
  const name = queryName.replace(/'/g, "''");
  const branch = (
    await q('SELECT window_start, branch, revenue, orders, items FROM gold.branch_revenue')
  ).map((r) => ({
    windowStartMs: ms(r[0]),
    branch: String(r[1]),
    revenuePaisa: money(r[2]),
    orders: int(r[3]),
    items: int(r[4]),
  }));
  const product = (
    await q(
      'SELECT window_start, item_id, item_name, category, quantity, revenue, orders FROM gold.product_popularity',
    )
  ).map((r) => ({
    windowStartMs: ms(r[0]),
    itemId: String(r[1]),
    itemName: String(r[2]),
    category: String(r[3]),
    quantity: int(r[4]),
    revenuePaisa: money(r[5]),
    orders: int(r[6]),
  }));
  const hourly = (
    await q('SELECT window_start, revenue, orders, items, avg_order_value FROM gold.hourly_sales')
  ).map((r) => ({
    windowStartMs: ms(r[0]),
    revenuePaisa: money(r[1]),
    orders: int(r[2]),
    items: int(r[3]),
    avgOrderValuePaisa: money(r[4]),
  }));
  const [s] = await q(
    `SELECT count(DISTINCT order_id), count(*), coalesce(sum(quantity), 0), coalesce(sum(line_amount), 0)::VARCHAR
       FROM silver.order_items`,
  );
  const [bronze] = await q('SELECT count(*) FROM bronze.orders_raw');
  const [quarantine] = await q('SELECT count(*) FROM silver.quarantine');
  const [dropped] = await q(
    `SELECT coalesce(sum(num_rows_dropped_by_watermark), 0) FROM ops.stream_progress WHERE query_name = '${name}'`,
  );
  const dropRows = await q(`SELECT DISTINCT order_id FROM ops.watermark_drops WHERE query_name = '${name}'`);
  const lines = await q(
    `SELECT s.order_id, s.event_time, s.branch, s.item_id, s.item_name, s.category, s.quantity, s.line_amount,
            d.batch_id
       FROM silver.order_items s
       JOIN (SELECT order_id, min(batch_id) AS batch_id FROM ops.watermark_drops WHERE query_name = '${name}'
              GROUP BY order_id) d ON d.order_id = s.order_id`,
  );
  // Each silver order with its batch (the bronze row of its message) and that batch's watermarks.
  const orderBatches = await q(
    `WITH c AS (SELECT batch_id, batch_watermark_ms,
                       coalesce(lag(batch_watermark_ms) OVER (ORDER BY batch_id), 0) AS prev_ms
                  FROM ops.batch_commits WHERE query_name = '${name}'),
          o AS (SELECT order_id, min(event_time) AS event_time, min(source_partition) AS p,
                       min(source_offset) AS off
                  FROM silver.order_items GROUP BY order_id)
     SELECT o.order_id, epoch_ms(o.event_time), r.batch_id, c.batch_watermark_ms, c.prev_ms
       FROM o JOIN bronze.orders_raw r ON r."partition" = o.p AND r."offset" = o.off
       JOIN c ON c.batch_id = r.batch_id`,
  );
  return {
    branch,
    product,
    hourly,
    silver: { orders: int(s?.[0]), lines: int(s?.[1]), items: int(s?.[2]), revenuePaisa: money(s?.[3]) },
    bronzeRows: int(bronze?.[0]),
    quarantined: int(quarantine?.[0]),
    progressDroppedRows: int(dropped?.[0]),
    droppedOrderIds: dropRows.map((r) => String(r[0])),
    droppedLines: lines.map((r) => ({
      orderId: String(r[0]),
      eventTimeMs: ms(r[1]),
      branch: String(r[2]),
      itemId: String(r[3]),
      itemName: String(r[4]),
      category: String(r[5]),
      quantity: int(r[6]),
      amountPaisa: money(r[7]),
      batchId: int(r[8]),
    })),
    orderBatches: orderBatches.map((r) => ({
      orderId: String(r[0]),
      eventTimeMs: int(r[1]),
      batchId: int(r[2]),
      batchWatermarkMs: int(r[3]),
      previousBatchWatermarkMs: int(r[4]),
    })),
  };
}
