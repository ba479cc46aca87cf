import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBLakehouse } from '../../../src/backends/duckdb/duckdb-lakehouse.js';
import {
  buildGoldSnapshot,
  paisaCell,
  parseBranchRevenue,
  queryGold,
  sqlString,
} from '../../../src/monitor/gold-queries.js';

/** Real DuckDB, in memory, with the lakehouse's own DDL and hand-written gold rows. */
let lakehouse: DuckDBLakehouse;

const W1 = '2026-01-01 01:15:00'; // 07:00 NPT
const W2 = '2026-01-01 02:15:00'; // 08:00 NPT

beforeAll(async () => {
  lakehouse = new DuckDBLakehouse({ path: ':memory:' });
  await lakehouse.open();
  await lakehouse.query(`INSERT INTO gold.branch_revenue VALUES
    ('${W1}', '${W2}', 'Thamel', 1000.50, 3, 5),
    ('${W2}', '2026-01-01 03:15:00', 'Thamel', 200.25, 1, 2),
    ('${W1}', '${W2}', 'Jhamsikhel', 5000.00, 7, 9),
    ('${W1}', '${W2}', 'O''Hara''s', 0.05, 1, 1)`);
  await lakehouse.query(`INSERT INTO gold.product_popularity VALUES
    ('${W1}', '${W2}', 'HOT-1', 'Americano', 'hot_beverages', 10, 1850.00, 8),
    ('${W2}', '2026-01-01 03:15:00', 'HOT-1', 'Americano', 'hot_beverages', 2, 370.00, 1),
    ('${W1}', '${W2}', 'BRE-58', 'Waffle', 'breakfast', 4, 3100.00, 4)`);
  await lakehouse.query(`INSERT INTO gold.hourly_sales VALUES
    ('${W2}', '2026-01-01 03:15:00', 200.25, 1, 2, 200.25),
    ('${W1}', '${W2}', 6000.55, 11, 15, 545.50)`);
  await lakehouse.query(`INSERT INTO silver.order_items VALUES
    ('o-1', '${W1}', 'Thamel', 'Thamel-1', 'cash', 1, 'HOT-1', 'Americano', 'hot_beverages', 185.00, 2, 370.00, 370.00, 0, 1, '${W1}'),
    ('o-2', '${W1}', 'Thamel', 'Thamel-1', 'cash', 1, 'HOT-1', 'Americano', 'hot_beverages', 185.00, 1, 185.00, 960.00, 0, 2, '${W1}'),
    ('o-2', '${W1}', 'Thamel', 'Thamel-1', 'cash', 2, 'BRE-58', 'Waffle', 'breakfast', 775.00, 1, 775.00, 960.00, 0, 2, '${W1}'),
    ('o-3', '${W1}', 'Jhamsikhel', 'Jhamsikhel-1', 'cash', 1, 'BRE-58', 'Waffle', 'breakfast', 775.00, 4, 3100.00, 3100.00, 1, 1, '${W1}')`);
});

afterAll(async () => {
  await lakehouse.close();
});

describe('gold queries', () => {
  it('sums every window per branch exactly, highest revenue first, with the chain total', async () => {
    const gold = await queryGold(lakehouse, null, 42);
    expect(gold.branches).toEqual([
      { branch: 'Jhamsikhel', revenue: 500_000, orders: 7, items: 9 },
      { branch: 'Thamel', revenue: 120_075, orders: 4, items: 7 },
      { branch: "O'Hara's", revenue: 5, orders: 1, items: 1 },
    ]);
    expect(gold.totals).toEqual({ revenue: 620_080, orders: 12, items: 17 });
    expect(gold.chainRevenue).toBe(620_080);
    expect(gold.branchNames).toEqual(['Jhamsikhel', "O'Hara's", 'Thamel']);
  });

  it('ranks products by quantity over all windows and lists hourly windows oldest first', async () => {
    const gold = await queryGold(lakehouse, null, 42);
    expect(gold.products.map((p) => [p.itemId, p.quantity, p.revenue, p.orders])).toEqual([
      ['HOT-1', 12, 222_000, 9],
      ['BRE-58', 4, 310_000, 4],
    ]);
    expect(gold.hourly).toEqual([
      { windowStartMs: Date.UTC(2026, 0, 1, 1, 15), revenue: 600_055, orders: 11, items: 15 },
      { windowStartMs: Date.UTC(2026, 0, 1, 2, 15), revenue: 20_025, orders: 1, items: 2 },
    ]);
  });

  it('filters every panel to one branch: its revenue and share, its items from silver, its hours', async () => {
    const gold = await queryGold(lakehouse, 'Thamel', 42);
    expect(gold.branch).toBe('Thamel');
    expect(gold.branches.map((b) => b.branch)).toEqual(['Thamel']);
    expect(gold.totals.revenue).toBe(120_075);
    expect(gold.chainRevenue).toBe(620_080);
    expect(gold.products.map((p) => [p.itemId, p.quantity, p.revenue, p.orders])).toEqual([
      ['HOT-1', 3, 55_500, 2],
      ['BRE-58', 1, 77_500, 1],
    ]);
    expect(gold.hourly.map((h) => h.revenue)).toEqual([100_050, 20_025]);
    // The filter choices stay the whole chain's
    expect(gold.branchNames).toHaveLength(3);
  });

  it('quotes branch names safely', async () => {
    expect(sqlString("O'Hara's")).toBe("'O''Hara''s'");
    const gold = await queryGold(lakehouse, "O'Hara's", 42);
    expect(gold.totals.revenue).toBe(5);
  });

  it('reads a lakehouse without gold tables yet as empty', async () => {
    const empty = {
      kind: 'test',
      description: 'no tables',
      query: async () => {
        throw new Error('Catalog Error: Table with name branch_revenue does not exist!');
      },
      close: async () => {},
    };
    const gold = await queryGold(empty, null, 1);
    expect(gold.branches).toEqual([]);
    expect(gold.totals.revenue).toBe(0);
  });

  it('converts DECIMAL cells to exact paisa and refuses inexact ones', () => {
    expect(paisaCell('1234.56', 'revenue')).toBe(123_456);
    expect(paisaCell('0.1', 'revenue')).toBe(10);
    expect(paisaCell(185.5, 'revenue')).toBe(18_550);
    expect(() => paisaCell(0.123, 'revenue')).toThrow(/not an exact amount/);
    const parsed = parseBranchRevenue({
      columns: ['branch', 'revenue', 'orders', 'items'],
      rows: [['A', '0.30', 1n, '2']],
    });
    expect(parsed).toEqual([{ branch: 'A', revenue: 30, orders: 1, items: 2 }]);
    expect(
      buildGoldSnapshot({ atMs: 0, branch: 'B', allBranches: parsed, products: [], hourly: [] }).totals,
    ).toEqual({
      revenue: 0,
      orders: 0,
      items: 0,
    });
  });
});
