import { afterEach, describe, expect, it } from 'vitest';
import { harness, orderJson, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h.cleanup());

const good = JSON.parse(orderJson('base', '2026-11-26T02:20:00.000Z', { lines: [['HOT-1', 2]] })) as Record<
  string,
  unknown
>;
const withOrder = (patch: Record<string, unknown>): string => JSON.stringify({ ...good, ...patch });
const line = (patch: Record<string, unknown>): string =>
  withOrder({ order_details: [{ ...(good['order_details'] as Record<string, unknown>[])[0], ...patch }] });

/** Every bad input of DOMAIN.md's fault table, with the rule its quarantine reason must start with. */
const BAD: readonly (readonly [string, string, string])[] = [
  ['truncated JSON', '{"schema_version":1,"order_id":"x","times', 'not_json'],
  ['binary bytes', Buffer.from([0xff, 0xfe, 0x00, 0x9c]).toString('utf8'), 'not_json'],
  ['healthcheck', 'healthcheck', 'not_json'],
  ['empty line', '', 'not_json'],
  ['JSON array', '[1,2]', 'not_object'],
  ['missing branch', withOrder({ branch: undefined }), 'branch'],
  ['unknown branch', withOrder({ branch: 'Mars Base' }), 'branch'],
  ['unknown item', line({ item_id: 'NOPE-1' }), 'item'],
  ['no lines', withOrder({ order_details: [], total_order_amount: 0 }), 'lines'],
  ['quantity zero', line({ quantity: 0, amount: 0 }), 'quantity'],
  ['quantity fractional', line({ quantity: 1.5, amount: 277.5 }), 'quantity'],
  ['quantity as text', line({ quantity: '2' }), 'quantity'],
  ['price as text', line({ price: '185' }), 'price'],
  ['amount ≠ price × quantity', line({ amount: 371 }), 'amount'],
  ['total ≠ Σ amount', withOrder({ total_order_amount: 999 }), 'total'],
  ['bad timestamp', withOrder({ timestamp: '26/11/2026 08:05' }), 'timestamp'],
  ['missing timestamp', withOrder({ timestamp: undefined }), 'timestamp'],
  ['wrong order_id type', withOrder({ order_id: 42 }), 'order_id'],
  ['wrong currency', withOrder({ currency: 'USD' }), 'currency'],
  ['unknown payment', withOrder({ mode_of_payment: 'cheque' }), 'payment'],
];

describe('quarantine', () => {
  it('keeps every message raw in bronze and quarantines each bad one with the rule it broke', async () => {
    // Given one valid order and every kind of bad input
    h = harness();
    const values = [orderJson('ok', '2026-11-26T02:20:00.000Z'), ...BAD.map(([, value]) => value)];
    h.send(values);
    // When the pipeline runs (it must not crash)
    const { progress } = await h.runAvailableNow({ maxRecordsPerBatch: 7 });
    // Then bronze holds every message byte for byte, silver the valid order, quarantine the rest
    expect(progress.reduce((n, p) => n + p.numInputRows, 0)).toBe(values.length);
    const bronze = await h.rows('SELECT value FROM bronze.orders_raw_text ORDER BY "offset"');
    expect(bronze.map((r) => r[0])).toEqual(values);
    expect(await h.rows('SELECT DISTINCT order_id FROM silver.order_items')).toEqual([['ok']]);
    const quarantine = await h.rows(
      'SELECT source_offset, value, reason FROM silver.quarantine_text ORDER BY source_offset',
    );
    expect(quarantine).toHaveLength(BAD.length);
    BAD.forEach(([what, value, rule], i) => {
      const row = quarantine[i]!;
      expect(row[1], what).toBe(value);
      expect(String(row[2]), what).toMatch(new RegExp(`^${rule}: `));
    });
  });
});

describe('raw bytes and UTF-8 (issue 9 item 6)', () => {
  it('keeps invalid UTF-8 byte for byte in bronze and quarantines it with rule utf8, never with U+FFFD', async () => {
    // Given an order whose terminal_id holds the bytes ED A0 80 (a UTF-8-encoded lone surrogate) and a good one
    h = harness();
    const good = orderJson('ok', '2026-11-26T02:20:00.000Z');
    const bad = Buffer.from(
      orderJson('bad', '2026-11-26T02:21:00.000Z').replace('"Jhamsikhel-1"', '"T-\u00ed\u00a0\u0080"'),
      'latin1',
    );
    expect(bad.includes(Buffer.from([0xed, 0xa0, 0x80]))).toBe(true);
    h.send([good, bad]);
    await h.runAvailableNow();
    // Then bronze holds the exact bytes (BLOB), the text view has NULL for the undecodable one
    const bronze = await h.rows('SELECT hex(value) FROM bronze.orders_raw ORDER BY "offset"');
    expect(bronze.map((r) => r[0])).toEqual([
      Buffer.from(good).toString('hex').toUpperCase(),
      bad.toString('hex').toUpperCase(),
    ]);
    expect(await h.rows('SELECT value IS NULL FROM bronze.orders_raw_text ORDER BY "offset"')).toEqual([
      [false],
      [true],
    ]);
    // And silver has only the good order; quarantine keeps the bytes with rule utf8
    expect(await h.rows('SELECT DISTINCT order_id FROM silver.order_items')).toEqual([['ok']]);
    expect(await h.rows('SELECT hex(value), reason FROM silver.quarantine')).toEqual([
      [bad.toString('hex').toUpperCase(), 'utf8: value is not valid UTF-8'],
    ]);
  });
});
