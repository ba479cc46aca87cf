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

const drops = (p: { stateOperators: { numRowsDroppedByWatermark: number }[] }): number[] =>
  p.stateOperators.map((op) => op.numRowsDroppedByWatermark);

describe("update mode, Spark's default (statefulOperator.allowMultiple=true)", () => {
  it('filters batch N with the watermark of batch N−1 and evicts with wm(N): batch 1 drops nothing', async () => {
    // Given one order per batch: A → wm(1) = 02:15; B (window end 02:15) in batch 1; D (same window) in batch 2
    h = harness();
    h.send([
      orderJson('A', at('02:25:00.000')),
      orderJson('B', at('02:14:59.999')), // batch 1: filtered with wm(0) = 0 → kept, then evicted with wm(1)
      orderJson('D', at('02:10:00.000')), // batch 2: filtered with wm(1) = 02:15 ≥ end 02:15 → late
      orderJson('C', at('02:15:00.000')), // batch 3: window [02:15, 03:15) → on time
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    // Then only D is dropped; B counts in gold although its window end equals wm(1)
    expect(progress.map((p) => p.eventTime.watermark)).toEqual([
      '1970-01-01T00:00:00.000Z',
      at('02:15:00.000'),
      at('02:15:00.000'),
      at('02:15:00.000'),
    ]);
    expect(progress.map(drops)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [1, 1, 1],
      [0, 0, 0],
    ]);
    expect(progress[1]?.stateOperators[2]).toMatchObject({ numRowsUpdated: 1, numRowsRemoved: 1 });
    expect(await branchRows()).toEqual([`${at('01:15:00.000')} 1`, `${at('02:15:00.000')} 2`]);
    expect(await h.rows('SELECT order_id, watermark::VARCHAR, batch_id FROM ops.watermark_drops')).toEqual([
      ['D', '2026-11-26 02:15:00', 2],
    ]);
  });

  it('treats a row whose window end equals wm(N−1) as late', async () => {
    h = harness();
    h.send([
      orderJson('A', at('02:25:00.000')), // → wm(1) = 02:15
      orderJson('A2', at('02:26:00.000')), // → wm(2) = 02:16
      orderJson('B', at('02:14:59.999')), // batch 2, filtered with wm(1) = 02:15 = its window end → late
      orderJson('C', at('02:15:00.000')), // batch 3, filtered with wm(2) = 02:16; window end 03:15 → on time
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    expect(progress.map((p) => p.eventTime.watermark)).toEqual([
      '1970-01-01T00:00:00.000Z',
      at('02:15:00.000'),
      at('02:16:00.000'),
      at('02:16:00.000'),
    ]);
    expect(progress.map((p) => p.stateOperators[0]?.numRowsDroppedByWatermark)).toEqual([0, 0, 1, 0]);
    expect(await branchRows()).toEqual([`${at('02:15:00.000')} 3`]);
    expect(await h.rows('SELECT order_id FROM ops.watermark_drops')).toEqual([['B']]);
  });

  it('counts late (window, key) groups per operator, and late orders and lines besides', async () => {
    // Given batch 0 moves the watermark to 04:53, batch 1 holds four old orders (kept: filtered with wm(0))
    // and batch 2 four more (dropped: filtered with wm(1) = 04:53)
    h = harness();
    const old = (id: string, ts: string, branch: string, lines: [string, number][]): string =>
      orderJson(id, at(ts), { branch, lines });
    h.send([
      orderJson('A', at('05:00:00.000')),
      orderJson('X', at('05:01:00.000')),
      orderJson('Y', at('05:02:00.000')),
      orderJson('Z', at('05:03:00.000')),
      old('M1', '01:00:00.000', 'Jhamsikhel', [['HOT-1', 1]]),
      old('M2', '01:05:00.000', 'Jhamsikhel', [['HOT-1', 1]]),
      old('M3', '01:10:00.000', 'Anamnagar', [['HOT-2', 1]]),
      old('M4', '01:14:00.000', 'Anamnagar', [['HOT-2', 1]]),
      old('L1', '01:00:00.000', 'Jhamsikhel', [
        ['HOT-1', 1],
        ['HOT-2', 2],
      ]), // window 00:15
      old('L2', '01:30:00.000', 'Jhamsikhel', [['HOT-1', 1]]), // window 01:15
      old('L3', '02:20:00.000', 'Anamnagar', [['HOT-1', 3]]), // window 02:15
      old('L4', '01:40:00.000', 'Jhamsikhel', [['HOT-2', 1]]), // window 01:15, same branch as L2
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 4 });
    // Then batch 2 reports branch groups (00:15 J, 01:15 J, 02:15 A) = 3; product groups (00:15 HOT-1,
    // 00:15 HOT-2, 01:15 HOT-1, 01:15 HOT-2, 02:15 HOT-1) = 5; hourly windows = 3; 4 orders, 5 lines
    expect(progress).toHaveLength(3);
    expect(progress.map(drops)).toEqual([
      [0, 0, 0],
      [0, 0, 0],
      [3, 5, 3],
    ]);
    expect(progress[2]?.stateOperators[0]).toMatchObject({ numLateOrders: 4, numLateLines: 5 });
    expect(
      await h.rows('SELECT batch_id, num_rows_dropped_by_watermark FROM ops.stream_progress ORDER BY 1'),
    ).toEqual([
      [0, 0],
      [1, 0],
      [2, 11],
    ]);
    const [stored] = await h.rows('SELECT state_operators FROM ops.stream_progress WHERE batch_id = 2');
    const ops = JSON.parse(String(stored?.[0])) as {
      operatorName: string;
      numRowsDroppedByWatermark: number;
    }[];
    expect(ops.map((o) => [o.operatorName, o.numRowsDroppedByWatermark])).toEqual([
      ['gold.branch_revenue', 3],
      ['gold.product_popularity', 5],
      ['gold.hourly_sales', 3],
    ]);
    // And the old orders of batch 1 are in gold (branch rows of window 00:15: M1, M2 for Jhamsikhel)
    expect(
      await h.rows(
        `SELECT branch, orders FROM gold.branch_revenue WHERE window_start = '2026-11-26 00:15:00' ORDER BY 1`,
      ),
    ).toEqual([
      ['Anamnagar', 2],
      ['Jhamsikhel', 2],
    ]);
  });

  it('runs a no-data batch when the watermark moved past the one the last batch evicted with', async () => {
    // Given A (window [02:15, 03:15)) in batch 0 and B at 05:00 in batch 1 → wm(2) = 04:50
    h = harness();
    h.send([orderJson('A', at('02:20:00.000')), orderJson('B', at('05:00:00.000'))]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    // Then batch 2 has no input, runs with wm 04:50 and evicts A's window; nothing runs after it
    expect(progress.map((p) => [p.batchId, p.numInputRows, p.eventTime.watermark])).toEqual([
      [0, 1, '1970-01-01T00:00:00.000Z'],
      [1, 1, at('02:10:00.000')],
      [2, 0, at('04:50:00.000')],
    ]);
    expect(progress[2]?.stateOperators[2]).toMatchObject({
      numRowsTotal: 1,
      numRowsUpdated: 0,
      numRowsRemoved: 1,
    });
    expect(progress[2]?.eventTime.min).toBeUndefined();
    expect(
      await h.rows('SELECT batch_id, num_input_rows, watermark::VARCHAR FROM ops.stream_progress ORDER BY 1'),
    ).toEqual([
      [0, 1, '1970-01-01 00:00:00'],
      [1, 1, '2026-11-26 02:10:00'],
      [2, 0, '2026-11-26 04:50:00'],
    ]);
    expect(await h.rows('SELECT count(*) FROM bronze.orders_raw')).toEqual([[2]]);
  });

  it('runs no no-data batch in complete mode, nor with noDataMicroBatches off', async () => {
    h = harness();
    h.send([orderJson('A', at('02:20:00.000')), orderJson('B', at('05:00:00.000'))]);
    const complete = await h.runAvailableNow({ outputMode: 'complete', maxRecordsPerBatch: 1 });
    expect(complete.progress.map((p) => p.numInputRows)).toEqual([1, 1]);
    h.cleanup();
    h = harness();
    h.send([orderJson('A', at('02:20:00.000')), orderJson('B', at('05:00:00.000'))]);
    const off = await h.runAvailableNow({
      outputMode: 'update',
      maxRecordsPerBatch: 1,
      noDataMicroBatches: false,
    });
    expect(off.progress.map((p) => p.numInputRows)).toEqual([1, 1]);
  });

  it('never moves the watermark back', async () => {
    h = harness();
    h.send([
      orderJson('A', at('03:00:00.000')), // → 02:50
      orderJson('B', at('02:55:00.000')), // candidate 02:45 < 02:50 → stays 02:50
      orderJson('C', at('03:30:00.000')), // → 03:20
    ]);
    const { progress, query } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    expect(progress.map((p) => p.eventTime.watermark).slice(0, 3)).toEqual([
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

describe('update mode with statefulOperatorAllowMultiple=false (filters with wm(N))', () => {
  it('drops a row whose window end equals the batch watermark already in batch 1', async () => {
    h = harness();
    h.send([
      orderJson('A', at('02:25:00.000')),
      orderJson('B', at('02:14:59.999')), // window [01:15, 02:15): end == wm(1) → late
      orderJson('C', at('02:15:00.000')),
    ]);
    const { progress } = await h.runAvailableNow({
      outputMode: 'update',
      maxRecordsPerBatch: 1,
      statefulOperatorAllowMultiple: false,
    });
    expect(progress.map((p) => p.stateOperators[0]?.numRowsDroppedByWatermark)).toEqual([0, 1, 0]);
    expect(await branchRows()).toEqual([`${at('02:15:00.000')} 2`]);
    expect(await h.rows('SELECT order_id, watermark::VARCHAR FROM ops.watermark_drops')).toEqual([
      ['B', '2026-11-26 02:15:00'],
    ]);
  });

  it('keeps the setting of the checkpoint, and refuses a different one', async () => {
    h = harness();
    h.send([orderJson('A', at('03:00:00.000'))]);
    await h.runAvailableNow({ outputMode: 'update', statefulOperatorAllowMultiple: false });
    h.send([orderJson('B', at('01:00:00.000'))]);
    // Unset: the checkpoint's false applies, so B (batch 1, window end 01:15 ≤ wm(1) = 02:50) is dropped
    await h.runAvailableNow({ outputMode: 'update' });
    expect(await h.rows('SELECT order_id FROM ops.watermark_drops')).toEqual([['B']]);
    await expect(
      h.runAvailableNow({ outputMode: 'update', statefulOperatorAllowMultiple: true }),
    ).rejects.toThrow(/statefulOperatorAllowMultiple false \(now true\)/);
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
      orderJson('A2', at('05:01:00.000')),
      orderJson('L', at('01:00:00.000'), {
        lines: [
          ['HOT-1', 1],
          ['HOT-2', 2],
        ],
      }),
    ]);
    const { progress } = await h.runAvailableNow({ outputMode: 'update', maxRecordsPerBatch: 1 });
    // L is in batch 2, filtered with wm(1) = 04:50: one branch group, two item groups, one window
    expect(progress[2] && drops(progress[2])).toEqual([1, 2, 1]);
    expect(progress[2]?.stateOperators[0]).toMatchObject({ numLateOrders: 1, numLateLines: 2 });
    expect(
      await h.rows(
        "SELECT line_no, item_id, line_amount FROM silver.order_items WHERE order_id = 'L' ORDER BY 1",
      ),
    ).toEqual([
      [1, 'HOT-1', '185.00'],
      [2, 'HOT-2', '270.00'],
    ]);
    expect(await branchRows()).toEqual([`${at('04:15:00.000')} 2`]);
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
