import { afterEach, describe, expect, it } from 'vitest';
import { OrderStream } from '../../../src/simulator/index.js';
import { ALL_FAULTS, streamOptions } from '../simulator/fixtures.js';
import { harness, type Harness } from './harness.js';

/**
 * Issue 9 item 4: the chain's original events (schema version 0) reach silver and gold exactly as the same
 * orders in schema version 1 do. The simulator writes both forms of the same seed.
 */
const harnesses: Harness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.cleanup();
});

function messages(schemaVersion: 0 | 1): (string | Uint8Array)[] {
  const stream = new OrderStream({
    ...streamOptions({ seed: 11, orders: 2500, faults: ALL_FAULTS, speed: 'max' }),
    schemaVersion,
  });
  const out: (string | Uint8Array)[] = [];
  while (stream.next()) {
    const v = stream.current.value;
    out.push(typeof v === 'string' ? v : Buffer.from(v));
  }
  return out;
}

/** One query after the other: each opens the file, and one process opens it once at a time. */
async function readEach(h: Harness, queries: readonly string[]): Promise<(readonly unknown[])[][]> {
  const out: (readonly unknown[])[][] = [];
  for (const sql of queries) out.push(await h.rows(sql));
  return out;
}

const SILVER = `SELECT order_id, event_time, branch, mode_of_payment, line_no, item_id, item_name, category,
  unit_price, quantity, line_amount, order_total, source_offset FROM silver.order_items ORDER BY order_id, line_no`;
const GOLD = [
  'SELECT * FROM gold.branch_revenue ORDER BY window_start, branch',
  'SELECT * FROM gold.product_popularity ORDER BY window_start, item_id',
  'SELECT * FROM gold.hourly_sales ORDER BY window_start',
];

describe('schema version 0 (the chain original events)', () => {
  it('is what `simulate --schema-version 0` writes: no schema_version, terminal_id, currency, category', () => {
    const v0 = messages(0);
    const first = JSON.parse(
      v0.find((m): m is string => typeof m === 'string' && m.includes('order_details'))!,
    );
    expect(Object.keys(first)).toEqual([
      'order_id',
      'timestamp',
      'branch',
      'order_details',
      'total_order_amount',
      'mode_of_payment',
    ]);
    expect(Object.keys(first.order_details[0])).toEqual([
      'item_id',
      'item_name',
      'price',
      'quantity',
      'amount',
    ]);
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$/);
  });

  it.each(['complete', 'update'] as const)(
    'reaches silver and gold exactly as the same orders in version 1 (%s mode)',
    async (outputMode) => {
      const results = [];
      for (const version of [1, 0] as const) {
        const h = harness();
        harnesses.push(h);
        h.send(messages(version));
        await h.runAvailableNow({ outputMode, maxRecordsPerBatch: 400 });
        results.push({
          silver: await h.rows(SILVER),
          terminals: await h.rows('SELECT count(*), count(terminal_id) FROM silver.order_items'),
          gold: await readEach(h, GOLD),
          quarantine: await h.rows(
            "SELECT source_offset, split_part(reason, ':', 1) FROM silver.quarantine ORDER BY 1",
          ),
          drops: await h.rows('SELECT order_id, batch_id FROM ops.watermark_drops ORDER BY 1'),
        });
      }
      const [v1, v0] = results;
      expect(v1!.silver.length).toBeGreaterThan(3000);
      expect(v0!.silver).toEqual(v1!.silver);
      expect(v0!.gold).toEqual(v1!.gold);
      expect(v0!.quarantine).toEqual(v1!.quarantine);
      expect(v0!.drops).toEqual(v1!.drops);
      // Version 0 orders have no terminal
      expect(v0!.terminals[0]?.[1]).toBe(0);
      expect(v1!.terminals[0]?.[1]).toBe(v1!.terminals[0]?.[0]);
    },
    120_000,
  );
});
