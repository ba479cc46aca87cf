import type { LakehouseReader, QueryParameter, QueryResult } from '../backends/types.js';
import { BugError } from '../errors.js';
import { paisaFromDecimalString } from '../domain/money.js';
import type { LakehouseFacts, VerifyRule } from './compare.js';

/**
 * `readLakehouseFacts` for a Databricks SQL warehouse: the same facts in Databricks SQL (money cast to STRING
 * so DECIMAL stays exact whatever the result format; the query name a bound `:query_name`, never spliced).
 * The Spark jobs write DOMAIN.md's tables only, so brewline's own ops tables (watermark_drops, batch_commits,
 * query_settings) are read when they exist and otherwise count as empty: update mode's drops are then checked
 * through the totals, not order by order.
 */

const ms = (v: unknown): number => Date.parse(String(v));
const int = (v: unknown): number => Number(v ?? 0);
const money = (v: unknown): number => paisaFromDecimalString(String(v ?? '0'));

function bound(reader: LakehouseReader) {
  const run = reader.queryWithParams?.bind(reader);
  if (!run) throw new BugError(`${reader.description} cannot bind parameters`);
  return async (sql: string, params: Readonly<Record<string, QueryParameter>> = {}): Promise<QueryResult> =>
    run(sql, params);
}

const MISSING_TABLE = /TABLE_OR_VIEW_NOT_FOUND|does not exist|not found/i;

async function optional<T>(read: () => Promise<T>, empty: T): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (MISSING_TABLE.test(error instanceof Error ? error.message : String(error))) return empty;
    throw error;
  }
}

/** ops.query_settings when the warehouse has it (a lakehouse brewline's own engine wrote), else undefined. */
export async function readWarehouseQuerySettings(
  reader: LakehouseReader,
  queryName: string,
): Promise<VerifyRule | undefined> {
  const q = bound(reader);
  const { rows } = await optional(
    () =>
      q(
        'SELECT output_mode, CAST(stateful_operator_allow_multiple AS STRING) FROM ops.query_settings WHERE query_name = :query_name',
        { query_name: queryName },
      ),
    { columns: [], rows: [] },
  );
  const row = rows[0];
  if (!row) return undefined;
  const mode = String(row[0]);
  if (mode !== 'complete' && mode !== 'update') return undefined;
  return { outputMode: mode, statefulOperatorAllowMultiple: String(row[1]) === 'true' };
}

export async function readWarehouseFacts(
  reader: LakehouseReader,
  queryName: string,
): Promise<LakehouseFacts> {
  const q = bound(reader);
  const rows = async (sql: string, params?: Readonly<Record<string, QueryParameter>>) =>
    (await q(sql, params)).rows;
  const branch = (
    await rows('SELECT window_start, branch, CAST(revenue AS STRING), orders, items FROM gold.branch_revenue')
  ).map((r) => ({
    windowStartMs: ms(r[0]),
    branch: String(r[1]),
    revenuePaisa: money(r[2]),
    orders: int(r[3]),
    items: int(r[4]),
  }));
  const product = (
    await rows(
      'SELECT window_start, item_id, item_name, category, quantity, CAST(revenue AS STRING), orders FROM gold.product_popularity',
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
    await rows(
      'SELECT window_start, CAST(revenue AS STRING), orders, items, CAST(avg_order_value AS STRING) FROM gold.hourly_sales',
    )
  ).map((r) => ({
    windowStartMs: ms(r[0]),
    revenuePaisa: money(r[1]),
    orders: int(r[2]),
    items: int(r[3]),
    avgOrderValuePaisa: money(r[4]),
  }));
  const [s] = await rows(
    `SELECT count(DISTINCT order_id), count(*), coalesce(sum(quantity), 0),
            CAST(coalesce(sum(line_amount), 0) AS STRING)
       FROM silver.order_items`,
  );
  const [bronze] = await rows('SELECT count(*) FROM bronze.orders_raw');
  const [quarantine] = await rows('SELECT count(*) FROM silver.quarantine');
  const [dropped] = await rows(
    // Brewline's engine names its one query (orders by default); the bundle's jobs name theirs after the layer,
    // and the watermark drops happen in the gold aggregation (gold, or ingest for the always-on job).
    `SELECT coalesce(sum(num_rows_dropped_by_watermark), 0) FROM ops.stream_progress
      WHERE query_name = :query_name
         OR (:query_name = 'orders' AND query_name IN ('gold', 'ingest')
             AND NOT EXISTS (SELECT 1 FROM ops.stream_progress WHERE query_name = 'orders'))`,
    { query_name: queryName },
  );
  const dropRows = await optional(
    () =>
      rows('SELECT DISTINCT order_id FROM ops.watermark_drops WHERE query_name = :query_name', {
        query_name: queryName,
      }),
    [],
  );
  const lines =
    dropRows.length === 0
      ? []
      : await rows(
          `SELECT s.order_id, s.event_time, s.branch, s.item_id, s.item_name, s.category, s.quantity,
                  CAST(s.line_amount AS STRING), d.batch_id
             FROM silver.order_items s
             JOIN (SELECT order_id, min(batch_id) AS batch_id FROM ops.watermark_drops
                    WHERE query_name = :query_name GROUP BY order_id) d ON d.order_id = s.order_id`,
          { query_name: queryName },
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
  };
}
