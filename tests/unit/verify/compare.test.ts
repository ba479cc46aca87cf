import { describe, expect, it } from 'vitest';
import { FAULT_KINDS, type Ledger } from '../../../src/domain/ledger.js';
import { compareWithLedger, type LakehouseFacts } from '../../../src/verify/compare.js';
import { renderVerifyReport } from '../../../src/verify/report-table.js';

const W = Date.parse('2026-11-26T02:15:00.000Z');
const WS = '2026-11-26T02:15:00.000Z';
const WE = '2026-11-26T03:15:00.000Z';

/** Two orders in one window: o1 = 2 × HOT-1 (370.00), o2 = 1 × HOT-2 (135.00), o2 being very_late. */
function ledger(): Ledger {
  const faults = Object.fromEntries(
    FAULT_KINDS.map((k) => [k, { count: 0, order_ids: [] as string[] }]),
  ) as Ledger['faults'];
  faults.very_late = { count: 1, order_ids: ['o2'] };
  faults.malformed = { count: 1, order_ids: [] };
  return {
    ledger_version: 1,
    generator: 'brewline',
    config: {},
    seed: 1,
    window: { duration_ms: 3_600_000, start_offset_ms: 900_000 },
    complete: true,
    messages: { sent: 3, rejected: 0 },
    totals: {
      orders: 2,
      lines: 2,
      items: 3,
      revenue: '505.00',
      first_event_time: null,
      last_event_time: null,
    },
    faults,
    gold: {
      branch_revenue: [
        { window_start: WS, window_end: WE, branch: 'Jhamsikhel', revenue: '505.00', orders: 2, items: 3 },
      ],
      product_popularity: [
        {
          window_start: WS,
          window_end: WE,
          item_id: 'HOT-1',
          item_name: 'Americano',
          category: 'hot_beverages',
          quantity: 2,
          revenue: '370.00',
          orders: 1,
        },
        {
          window_start: WS,
          window_end: WE,
          item_id: 'HOT-2',
          item_name: 'Espresso',
          category: 'hot_beverages',
          quantity: 1,
          revenue: '135.00',
          orders: 1,
        },
      ],
      hourly_sales: [
        {
          window_start: WS,
          window_end: WE,
          revenue: '505.00',
          orders: 2,
          items: 3,
          avg_order_value: '252.50',
        },
      ],
    },
  };
}

function completeFacts(): LakehouseFacts {
  return {
    branch: [{ windowStartMs: W, branch: 'Jhamsikhel', revenuePaisa: 50500, orders: 2, items: 3 }],
    product: [
      {
        windowStartMs: W,
        itemId: 'HOT-1',
        itemName: 'Americano',
        category: 'hot_beverages',
        quantity: 2,
        revenuePaisa: 37000,
        orders: 1,
      },
      {
        windowStartMs: W,
        itemId: 'HOT-2',
        itemName: 'Espresso',
        category: 'hot_beverages',
        quantity: 1,
        revenuePaisa: 13500,
        orders: 1,
      },
    ],
    hourly: [{ windowStartMs: W, revenuePaisa: 50500, orders: 2, items: 3, avgOrderValuePaisa: 25250 }],
    silver: { orders: 2, lines: 2, items: 3, revenuePaisa: 50500 },
    bronzeRows: 3,
    quarantined: 1,
    progressDroppedRows: 0,
    droppedLines: [],
    droppedOrderIds: [],
  };
}

/** The same lakehouse after update mode dropped o2 from gold (silver still has it). */
function updateFacts(): LakehouseFacts {
  return {
    ...completeFacts(),
    branch: [{ windowStartMs: W, branch: 'Jhamsikhel', revenuePaisa: 37000, orders: 1, items: 2 }],
    product: [completeFacts().product[0]!],
    hourly: [{ windowStartMs: W, revenuePaisa: 37000, orders: 1, items: 2, avgOrderValuePaisa: 37000 }],
    // One late order, one line: one (window, branch), one (window, item) and one window group.
    progressDroppedRows: 3,
    droppedOrderIds: ['o2'],
    droppedLines: [
      {
        orderId: 'o2',
        eventTimeMs: W + 60_000,
        branch: 'Jhamsikhel',
        itemId: 'HOT-2',
        itemName: 'Espresso',
        category: 'hot_beverages',
        quantity: 1,
        amountPaisa: 13500,
      },
    ],
  };
}

describe('compareWithLedger', () => {
  it('finds no difference when the lakehouse matches the ledger (complete mode)', () => {
    const report = compareWithLedger(ledger(), completeFacts(), 'complete');
    expect(report.differences).toEqual([]);
    expect(renderVerifyReport(report)).toContain('no differences');
  });

  it('reports a one-paisa revenue difference and a missing row', () => {
    const facts = completeFacts();
    facts.branch[0]!.revenuePaisa = 50499;
    facts.product.pop();
    const report = compareWithLedger(ledger(), facts, 'complete');
    expect(report.differences).toEqual([
      {
        table: 'gold.branch_revenue',
        key: `${WS} Jhamsikhel`,
        column: 'revenue',
        expected: '505.00',
        actual: '504.99',
      },
      {
        table: 'gold.product_popularity',
        key: `${WS} HOT-2`,
        column: '(row)',
        expected: 'present',
        actual: '(missing)',
      },
    ]);
    expect(renderVerifyReport(report)).toMatch(/2 difference\(s\):[\s\S]*504\.99/);
  });

  it('in update mode subtracts the dropped very_late orders and checks they were counted', () => {
    const report = compareWithLedger(ledger(), updateFacts(), 'update');
    expect(report.differences).toEqual([]);
    expect(report).toMatchObject({ droppedVeryLate: 1, keptVeryLate: 0 });
  });

  it('in update mode flags a dropped order that is not very_late, and uncounted drops', () => {
    const l = ledger();
    l.faults.very_late = { count: 0, order_ids: [] };
    const facts = { ...updateFacts(), progressDroppedRows: 0 };
    const report = compareWithLedger(l, facts, 'update');
    expect(report.differences.map((d) => `${d.table} ${d.column}`)).toEqual([
      'ops.stream_progress rows dropped by watermark = late (window, key) groups of the three aggregations',
      'ops.watermark_drops fault kind',
    ]);
  });

  it('in complete mode any watermark drop is a difference', () => {
    const report = compareWithLedger(ledger(), updateFacts(), 'complete');
    expect(report.differences.some((d) => d.table === 'gold.hourly_sales' && d.column === 'orders')).toBe(
      true,
    );
    expect(report.differences.some((d) => d.table === 'ops.stream_progress')).toBe(true);
  });

  it("in update mode re-checks each order against the late rule it ran with (wm(N−1) by Spark's default)", () => {
    // o1 came in batch 1 (wm(0) = 0, wm(1) = 03:20); o2 in batch 2 (wm(1) = 03:20): window end 03:15 ≤ 03:20
    const wm1 = Date.parse('2026-11-26T03:20:00.000Z');
    const facts: LakehouseFacts = {
      ...updateFacts(),
      orderBatches: [
        { orderId: 'o1', eventTimeMs: W, batchId: 1, batchWatermarkMs: wm1, previousBatchWatermarkMs: 0 },
        {
          orderId: 'o2',
          eventTimeMs: W + 60_000,
          batchId: 2,
          batchWatermarkMs: wm1,
          previousBatchWatermarkMs: wm1,
        },
      ],
    };
    const spark = compareWithLedger(ledger(), facts, {
      outputMode: 'update',
      statefulOperatorAllowMultiple: true,
    });
    expect(spark.differences).toEqual([]);
    expect(spark.checks.find((c) => c.name.startsWith('late rule'))).toMatchObject({ ok: true });
    // With allowMultiple=false, o1 (batch 1, window end 03:15 ≤ wm(1)) should have been dropped too
    const single = compareWithLedger(ledger(), facts, {
      outputMode: 'update',
      statefulOperatorAllowMultiple: false,
    });
    expect(single.differences).toEqual([
      {
        table: 'ops.watermark_drops',
        key: 'o1',
        column: 'late by wm(N) (batch 1, 2026-11-26T03:20:00.000Z)',
        expected: 'dropped',
        actual: 'kept',
      },
    ]);
  });
});
