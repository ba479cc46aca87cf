import type { DuckDBConnection } from '@duckdb/node-api';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBLakehouse } from '../../../src/backends/duckdb/duckdb-lakehouse.js';
import { aggregateGold, emptyGoldState, MAX_GOLD_SUM } from '../../../src/pipeline/gold.js';
import type { SilverOrder } from '../../../src/pipeline/silver.js';
import { NEPAL_HOURLY_WINDOW } from '../../../src/domain/time.js';
import { harness, orderJson, type Harness } from './harness.js';

/**
 * Issue 10 item 2: one message the lakehouse cannot hold must not wedge the stream. Each repro is a good
 * order, then the poison pill: before, the batch failed to write on every restart.
 */
let h: Harness;
afterEach(() => h.cleanup());

const TS = '2026-11-26T02:20:00.000Z';
const good = orderJson('good', TS);
const withLine = (line: string, total: string): string =>
  `{"schema_version":1,"order_id":"pill","timestamp":"${TS}","branch":"Jhamsikhel","terminal_id":"J-1",` +
  `"order_details":[{"item_id":"HOT-1","item_name":"Americano","category":"hot_beverages",${line}}],` +
  `"total_order_amount":${total},"currency":"NPR","mode_of_payment":"cash"}`;

describe('poison pills are quarantined with a reason, the good records are written', () => {
  it.each([
    [
      'quantity 2147483648 (INT)',
      withLine('"price":0.01,"quantity":2147483648,"amount":21474836.48', '21474836.48'),
    ],
    [
      'price 100000000 (DECIMAL(10,2))',
      withLine('"price":100000000,"quantity":1,"amount":100000000', '100000000'),
    ],
    [
      'price 99999999 × quantity 101 (DECIMAL(12,2))',
      withLine('"price":99999999,"quantity":101,"amount":10099999899', '10099999899'),
    ],
    ['timestamp 2300-01-01 (TIMESTAMP µs)', orderJson('pill', '2300-01-01T00:00:00.000Z')],
  ])('%s', async (_what, pill) => {
    h = harness();
    h.send([good, pill]);
    await h.runAvailableNow();
    expect(await h.rows('SELECT DISTINCT order_id FROM silver.order_items')).toEqual([['good']]);
    const [row] = await h.rows('SELECT source_offset, reason FROM silver.quarantine');
    expect(row?.[0]).toBe(1);
    expect(String(row?.[1])).toMatch(/^range: /);
    expect(await h.rows('SELECT orders FROM gold.hourly_sales')).toEqual([[1]]);
  });

  it('as a last line of defence, moves orders the lakehouse still cannot write to quarantine', async () => {
    // Given a lakehouse that cannot store one particular (valid) order, whatever the reason
    class Picky extends DuckDBLakehouse {
      protected override async appendSilver(
        connection: DuckDBConnection,
        orders: readonly SilverOrder[],
        ingestionMs: number,
      ): Promise<void> {
        if (orders.some((o) => o.orderId === 'pill'))
          throw new RangeError('value out of range for the column');
        return super.appendSilver(connection, orders, ingestionMs);
      }
    }
    h = harness();
    h.send([good, orderJson('pill', TS), orderJson('good2', TS)]);
    // When the batch runs (before: it failed, and failed again after every restart)
    const { progress } = await h.runAvailableNow({
      lakehouse: (path) => new Picky({ path, threads: 1 }),
    });
    // Then the other orders are in silver and gold, the pill in quarantine with the write's reason
    expect(progress).toHaveLength(1);
    expect(await h.rows('SELECT DISTINCT order_id FROM silver.order_items ORDER BY 1')).toEqual([
      ['good'],
      ['good2'],
    ]);
    expect(await h.rows('SELECT source_offset, reason FROM silver.quarantine')).toEqual([
      [1, 'range: the lakehouse cannot store this order (value out of range for the column)'],
    ]);
    expect(await h.rows('SELECT orders FROM gold.hourly_sales')).toEqual([[2]]);
    expect(progress[0]?.silver).toMatchObject({ orders: 2, quarantined: 1 });
  });
});

describe('gold sums that could overflow', () => {
  it('refuses an order that would take a window sum past 2^53 − 1, leaving the others', () => {
    const start = Date.parse('2026-11-26T02:15:00.000Z');
    const state = emptyGoldState();
    state.hourly.set(start, { windowStartMs: start, revenuePaisa: MAX_GOLD_SUM - 100, orders: 1, items: 1 });
    const order = (orderId: string, totalPaisa: number): SilverOrder => ({
      orderId,
      eventTimeMs: start + 60_000,
      eventTimeMicros: (start + 60_000) * 1000,
      schemaVersion: 1,
      branch: 'Jhamsikhel',
      terminalId: 'J-1',
      payment: 'cash',
      totalPaisa,
      lines: [
        {
          lineNo: 1,
          itemId: 'HOT-1',
          itemName: 'Americano',
          category: 'hot_beverages',
          pricePaisa: totalPaisa,
          quantity: 1,
          amountPaisa: totalPaisa,
        },
      ],
      sourcePartition: 0,
      sourceOffset: 0,
    });
    const batch = aggregateGold(state, [order('fits', 99), order('overflows', 200)], 0, {
      window: NEPAL_HOURLY_WINDOW,
      outputMode: 'complete',
    });
    expect([...batch.overflow.keys()]).toEqual(['overflows']);
    expect(batch.overflow.get('overflows')).toMatch(/^range: /);
  });
});
