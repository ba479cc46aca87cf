import { afterEach, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../../src/domain/time.js';
import { harness, orderJson, type Harness } from './harness.js';

/**
 * SEMANTICS.md, rule by rule, with hand-computed expectations. Defaults: 1 h windows starting at :15 UTC
 * (Nepal hours), 10 min watermark delay. One bus partition, so `maxRecordsPerBatch` fixes the batches.
 */
let h: Harness;
afterEach(() => h.cleanup());

const at = (hhmmss: string): string => `2026-11-26T${hhmmss}Z`;

async function branchRows(): Promise<string[]> {
  const rows = await h.rows('SELECT window_start, orders FROM gold.branch_revenue ORDER BY window_start');
  return rows.map((r) => `${String(r[0])} ${String(r[1])}`);
}

describe('watermark and late rows (update mode)', () => {
  it('treats a row whose window end equals the watermark as late', async () => {
    // Given batch 0 = A at 02:25 → watermark 02:15 for batch 1
    h = harness();
    h.send([
      orderJson('A', at('02:25:00.000')),
      orderJson('B', at('02:14:59.999')), // window [01:15, 02:15): end == watermark → late
      orderJson('C', at('02:15:00.000')), // window [02:15, 03:15): on time
    ]);
    // When each message is its own batch
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    // Then B is dropped and counted; A and C are in gold
    expect(progress.map((p) => p.eventTime.watermark)).toEqual([
      '1970-01-01T00:00:00.000Z',
      at('02:15:00.000'),
      at('02:15:00.000'),
    ]);
    expect(progress.map((p) => p.stateOperators[0]?.numRowsDroppedByWatermark)).toEqual([0, 1, 0]);
    expect(await branchRows()).toEqual([`${at('02:15:00.000')} 2`]);
    expect(await h.rows('SELECT order_id FROM ops.watermark_drops')).toEqual([['B']]);
  });

  it('applies the watermark of batch N from batch N+1, and the first batch drops nothing', async () => {
    h = harness();
    h.send([
      orderJson('A', at('03:00:00.000')),
      orderJson('B', at('01:00:00.000')), // same batch as A: watermark still 0 → kept
      orderJson('C', at('01:00:00.000')), // next batch: watermark 02:50 ≥ window end 01:15 → dropped
      orderJson('D', at('03:05:00.000')),
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 2 });
    expect(progress).toHaveLength(2);
    expect(progress[0]?.eventTime.watermark).toBe('1970-01-01T00:00:00.000Z');
    expect(progress[0]?.stateOperators.every((op) => op.numRowsDroppedByWatermark === 0)).toBe(true);
    expect(progress[1]?.eventTime.watermark).toBe(at('02:50:00.000'));
    expect(progress[1]?.stateOperators.map((op) => op.numRowsDroppedByWatermark)).toEqual([1, 1, 1]);
    expect(await branchRows()).toEqual([`${at('00:15:00.000')} 1`, `${at('02:15:00.000')} 2`]);
  });

  it('never moves the watermark back', async () => {
    h = harness();
    h.send([
      orderJson('A', at('03:00:00.000')), // → 02:50
      orderJson('B', at('02:55:00.000')), // candidate 02:45 < 02:50 → stays 02:50
      orderJson('C', at('03:30:00.000')), // → 03:20
    ]);
    const { progress, query } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    expect(progress.map((p) => p.eventTime.watermark)).toEqual([
      '1970-01-01T00:00:00.000Z',
      at('02:50:00.000'),
      at('02:50:00.000'),
    ]);
    expect(query.getSnapshot().watermarkMs).toBe(Date.parse(at('03:20:00.000')));
  });

  it('evicts state behind the watermark in update mode (bounded memory) but keeps the result rows', async () => {
    h = harness();
    h.send([
      orderJson('A', at('02:20:00.000')),
      orderJson('B', at('05:00:00.000')),
      orderJson('C', at('05:01:00.000')),
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    // Batch 2 runs with watermark 04:50: window [02:15, 03:15) is evicted.
    expect(progress[2]?.stateOperators[2]).toMatchObject({
      operatorName: 'gold.hourly_sales',
      numRowsRemoved: 1,
      numRowsTotal: 1,
    });
    expect(await branchRows()).toEqual([`${at('02:15:00.000')} 1`, `${at('04:15:00.000')} 2`]);
  });
});

describe('complete mode', () => {
  it('never drops, whatever the watermark', async () => {
    h = harness();
    h.send([
      orderJson('A', at('03:00:00.000')),
      orderJson('B', at('01:00:00.000')),
      orderJson('C', at('01:00:00.000')),
      orderJson('D', at('03:05:00.000')),
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'complete', maxRecordsPerBatch: 2 });
    expect(progress[1]?.eventTime.watermark).toBe(at('02:50:00.000'));
    expect(progress.flatMap((p) => p.stateOperators.map((op) => op.numRowsDroppedByWatermark))).toEqual([
      0, 0, 0, 0, 0, 0,
    ]);
    expect(await branchRows()).toEqual([`${at('00:15:00.000')} 2`, `${at('02:15:00.000')} 2`]);
  });
});

describe('window alignment', () => {
  const times = ['02:14:59.999', '02:15:00.000', '03:14:59.999'];

  it('aligns 1 h windows to :15 UTC (Nepal hours) by default', async () => {
    h = harness();
    h.send(times.map((t, i) => orderJson(`o${i}`, at(t))));
    await h.runAvailableNow();
    expect(await branchRows()).toEqual([`${at('01:15:00.000')} 1`, `${at('02:15:00.000')} 2`]);
    const hourly = await h.rows('SELECT window_start, window_end FROM gold.hourly_sales ORDER BY 1');
    expect(hourly[1]).toEqual([at('02:15:00.000'), at('03:15:00.000')]);
  });

  it('follows a configured offset and size', async () => {
    h = harness();
    h.send(times.map((t, i) => orderJson(`o${i}`, at(t))));
    await h.runAvailableNow({
      window: { durationMs: 30 * MINUTE_MS, slideMs: 30 * MINUTE_MS, startOffsetMs: 0 },
    });
    // 30 min windows from :00: 02:14:59.999 and 02:15 share [02:00, 02:30); 03:14:59.999 is in [03:00, 03:30).
    expect(await branchRows()).toEqual([`${at('02:00:00.000')} 2`, `${at('03:00:00.000')} 1`]);
  });
});

describe('deduplication in silver', () => {
  it('drops a duplicate however late it arrives, without counting it as a watermark drop', async () => {
    h = harness();
    const original = orderJson('X', at('03:00:00.000'), { lines: [['HOT-1', 2]] });
    h.send([original, orderJson('Y', at('09:00:00.000')), original]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    expect(progress[2]?.silver).toEqual({ rows: 0, orders: 0, duplicates: 1, quarantined: 0 });
    expect(progress[2]?.stateOperators[0]?.numRowsDroppedByWatermark).toBe(0);
    expect(
      await h.rows("SELECT count(*), sum(quantity) FROM silver.order_items WHERE order_id = 'X'"),
    ).toEqual([[1, 2]]);
    expect(await h.rows('SELECT orders, items FROM gold.hourly_sales ORDER BY window_start')).toEqual([
      [1, 2],
      [1, 1],
    ]);
  });

  it('keeps the first occurrence by partition, then offset, within a batch', async () => {
    h = harness(2);
    h.send([orderJson('Z', at('03:00:00.000'), { lines: [['HOT-2', 1]] })], 1);
    h.send(
      [orderJson('W', at('03:00:00.000')), orderJson('Z', at('03:00:00.000'), { lines: [['HOT-1', 3]] })],
      0,
    );
    const { progress } = await h.runAvailableNow();
    expect(progress[0]?.silver.duplicates).toBe(1);
    expect(
      await h.rows(
        "SELECT item_id, quantity, source_partition, source_offset FROM silver.order_items WHERE order_id = 'Z'",
      ),
    ).toEqual([['HOT-1', 3, 0, 1]]);
  });

  it('always lets a late sale reach silver, even when gold drops it', async () => {
    h = harness();
    h.send([
      orderJson('A', at('05:00:00.000')),
      orderJson('L', at('01:00:00.000'), {
        lines: [
          ['HOT-1', 1],
          ['HOT-2', 2],
        ],
      }),
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    expect(progress[1]?.stateOperators[0]?.numRowsDroppedByWatermark).toBe(2);
    expect(
      await h.rows(
        "SELECT line_no, item_id, line_amount FROM silver.order_items WHERE order_id = 'L' ORDER BY 1",
      ),
    ).toEqual([
      [1, 'HOT-1', '185.00'],
      [2, 'HOT-2', '270.00'],
    ]);
    expect(await branchRows()).toEqual([`${at('04:15:00.000')} 1`]);
  });
});

describe('gold arithmetic', () => {
  it('sums revenue exactly and rounds the average order value half-up', async () => {
    h = harness();
    // 185 + 135×2 = 455 and 185: revenue 640.00, avg 320.00; a third order of 135 → 775 / 3 = 258.333 → 258.33
    h.send([
      orderJson('a', at('02:20:00.000'), {
        lines: [
          ['HOT-1', 1],
          ['HOT-2', 2],
        ],
      }),
      orderJson('b', at('02:21:00.000')),
      orderJson('c', at('02:22:00.000'), { lines: [['HOT-2', 1]] }),
    ]);
    await h.runAvailableNow();
    expect(await h.rows('SELECT revenue, orders, items, avg_order_value FROM gold.hourly_sales')).toEqual([
      ['775.00', 3, 5, '258.33'],
    ]);
    expect(
      await h.rows('SELECT item_id, quantity, revenue, orders FROM gold.product_popularity ORDER BY item_id'),
    ).toEqual([
      ['HOT-1', 2, '370.00', 2],
      ['HOT-2', 3, '405.00', 2],
    ]);
    expect(HOUR_MS).toBe(3_600_000);
  });
});
