import type { LakehouseReader, QueryResult } from '../backends/types.js';
import { BugError } from '../errors.js';
import { paisaFromDecimalString, paisaFromJsonNumber, type Paisa } from '../domain/money.js';
import {
  GOLD_WINDOWS,
  type BranchRevenue,
  type GoldSnapshot,
  type HourlySales,
  type ProductSales,
} from './feed-types.js';

/**
 * The dashboard's gold panels as SQL over the lakehouse (DOMAIN.md tables), so anyone can check a number on
 * screen with `brewline query`. Sums are cast to text/BIGINT in SQL: DECIMAL sums come back as exact
 * "1234.50" strings and counts as plain numbers, whatever the reader does with DuckDB's HUGEINT.
 */

/** SQL string literal: the only value ever interpolated is a branch name, quoted by doubling quotes. */
export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

export function branchRevenueSql(): string {
  return `SELECT branch, CAST(SUM(revenue) AS VARCHAR) AS revenue, CAST(SUM(orders) AS BIGINT) AS orders,
  CAST(SUM(items) AS BIGINT) AS items
FROM gold.branch_revenue GROUP BY branch ORDER BY SUM(revenue) DESC, branch`;
}

/** Menu items for the chain (gold.product_popularity) or one branch (silver, which has the branch column). */
export function productSalesSql(branch: string | null): string {
  if (branch === null) {
    return `SELECT item_id, MIN(item_name) AS item_name, MIN(category) AS category,
  CAST(SUM(quantity) AS BIGINT) AS quantity, CAST(SUM(revenue) AS VARCHAR) AS revenue,
  CAST(SUM(orders) AS BIGINT) AS orders
FROM gold.product_popularity GROUP BY item_id ORDER BY SUM(quantity) DESC, SUM(revenue) DESC, item_id`;
  }
  return `SELECT item_id, MIN(item_name) AS item_name, MIN(category) AS category,
  CAST(SUM(quantity) AS BIGINT) AS quantity, CAST(SUM(line_amount) AS VARCHAR) AS revenue,
  CAST(COUNT(DISTINCT order_id) AS BIGINT) AS orders
FROM silver.order_items WHERE branch = ${sqlString(branch)}
GROUP BY item_id ORDER BY SUM(quantity) DESC, SUM(line_amount) DESC, item_id`;
}

/** The latest windows (newest first; the caller reverses them). */
export function hourlySalesSql(branch: string | null): string {
  if (branch === null) {
    return `SELECT CAST(epoch_ms(window_start) AS BIGINT) AS start_ms, CAST(revenue AS VARCHAR) AS revenue,
  CAST(orders AS BIGINT) AS orders, CAST(items AS BIGINT) AS items
FROM gold.hourly_sales ORDER BY window_start DESC LIMIT ${GOLD_WINDOWS}`;
  }
  return `SELECT CAST(epoch_ms(window_start) AS BIGINT) AS start_ms, CAST(revenue AS VARCHAR) AS revenue,
  CAST(orders AS BIGINT) AS orders, CAST(items AS BIGINT) AS items
FROM gold.branch_revenue WHERE branch = ${sqlString(branch)} ORDER BY window_start DESC LIMIT ${GOLD_WINDOWS}`;
}

/** Exact paisa from a DECIMAL cell: "1234.50" text (what the SQL above asks for), or a JSON number. */
export function paisaCell(value: unknown, column: string): Paisa {
  if (value === null || value === undefined) return 0;
  if (typeof value === 'string') return paisaFromDecimalString(value);
  if (typeof value === 'bigint') return Number(value) * 100;
  const paisa = paisaFromJsonNumber(value);
  if (paisa === undefined)
    throw new BugError(`gold column ${column} is not an exact amount: ${String(value)}`);
  return paisa;
}

/** A count cell (BIGINT may arrive as number, bigint or text). */
export function countCell(value: unknown, column: string): number {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'string' ? Number(value) : typeof value === 'bigint' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n))
    throw new BugError(`gold column ${column} is not a whole number: ${String(value)}`);
  return n;
}

function column(result: QueryResult, name: string): number {
  const index = result.columns.indexOf(name);
  if (index < 0) throw new BugError(`gold query result has no column ${name}: ${result.columns.join(', ')}`);
  return index;
}

export function parseBranchRevenue(result: QueryResult): BranchRevenue[] {
  const [b, r, o, i] = ['branch', 'revenue', 'orders', 'items'].map((c) => column(result, c)) as [
    number,
    number,
    number,
    number,
  ];
  return result.rows.map((row) => ({
    branch: String(row[b]),
    revenue: paisaCell(row[r], 'revenue'),
    orders: countCell(row[o], 'orders'),
    items: countCell(row[i], 'items'),
  }));
}

export function parseProductSales(result: QueryResult): ProductSales[] {
  const [id, name, cat, q, r, o] = ['item_id', 'item_name', 'category', 'quantity', 'revenue', 'orders'].map(
    (c) => column(result, c),
  ) as [number, number, number, number, number, number];
  return result.rows.map((row) => ({
    itemId: String(row[id]),
    itemName: String(row[name]),
    category: String(row[cat]),
    quantity: countCell(row[q], 'quantity'),
    revenue: paisaCell(row[r], 'revenue'),
    orders: countCell(row[o], 'orders'),
  }));
}

export function parseHourlySales(result: QueryResult): HourlySales[] {
  const [s, r, o, i] = ['start_ms', 'revenue', 'orders', 'items'].map((c) => column(result, c)) as [
    number,
    number,
    number,
    number,
  ];
  return result.rows
    .map((row) => ({
      windowStartMs: countCell(row[s], 'start_ms'),
      revenue: paisaCell(row[r], 'revenue'),
      orders: countCell(row[o], 'orders'),
      items: countCell(row[i], 'items'),
    }))
    .sort((a, b) => a.windowStartMs - b.windowStartMs);
}

/** Assembles the gold panels' snapshot from the three queries above (pure, for tests). */
export function buildGoldSnapshot(input: {
  atMs: number;
  branch: string | null;
  allBranches: readonly BranchRevenue[];
  products: readonly ProductSales[];
  hourly: readonly HourlySales[];
}): GoldSnapshot {
  const chain = sum(input.allBranches);
  const branches =
    input.branch === null ? input.allBranches : input.allBranches.filter((b) => b.branch === input.branch);
  return {
    atMs: input.atMs,
    branch: input.branch,
    branches,
    totals: input.branch === null ? chain : sum(branches),
    chainRevenue: chain.revenue,
    products: input.products,
    hourly: input.hourly,
    branchNames: input.allBranches.map((b) => b.branch).sort((a, b) => a.localeCompare(b, 'en')),
  };
}

function sum(rows: readonly BranchRevenue[]): { revenue: Paisa; orders: number; items: number } {
  let revenue = 0;
  let orders = 0;
  let items = 0;
  for (const row of rows) {
    revenue += row.revenue;
    orders += row.orders;
    items += row.items;
  }
  return { revenue, orders, items };
}

/** Runs the gold queries against a lakehouse; a missing table (engine not started yet) reads as empty. */
export async function queryGold(
  reader: LakehouseReader,
  branch: string | null,
  atMs: number,
): Promise<GoldSnapshot> {
  const [allBranches, products, hourly] = await Promise.all([
    readOrEmpty(reader, branchRevenueSql(), parseBranchRevenue),
    readOrEmpty(reader, productSalesSql(branch), parseProductSales),
    readOrEmpty(reader, hourlySalesSql(branch), parseHourlySales),
  ]);
  return buildGoldSnapshot({ atMs, branch, allBranches, products, hourly });
}

async function readOrEmpty<T>(
  reader: LakehouseReader,
  sql: string,
  parse: (result: QueryResult) => T[],
): Promise<T[]> {
  let result: QueryResult;
  try {
    result = await reader.query(sql);
  } catch (error) {
    // Before the engine's first start the schemas do not exist yet; that is "no sales", not a failure.
    if (/does not exist|Catalog Error/i.test(error instanceof Error ? error.message : String(error)))
      return [];
    throw error;
  }
  return parse(result);
}
