import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSource } from '../../../src/backends/file/file-source.js';
import { loadDefaultCatalog } from '../../../src/domain/catalog.js';
import { paisaFromJsonNumber } from '../../../src/domain/money.js';
import { validateOrderText } from '../../../src/domain/order-event.js';
import { parseEventTime } from '../../../src/domain/time.js';

/** Edge cases of the engine's hand-tuned hot paths, pinned to the behaviour of the plain versions they replaced. */
describe('parseEventTime (fixed-position parse)', () => {
  it('accepts 0 to 6 fraction digits and keeps only the first 3 as milliseconds', () => {
    // Given the contract form with fractions of every allowed length, When parsed, Then ms are truncated.
    expect(parseEventTime('2026-11-26T02:15:04Z')).toBe(Date.UTC(2026, 10, 26, 2, 15, 4, 0));
    expect(parseEventTime('2026-11-26T02:15:04.5Z')).toBe(Date.UTC(2026, 10, 26, 2, 15, 4, 500));
    expect(parseEventTime('2026-11-26T02:15:04.51Z')).toBe(Date.UTC(2026, 10, 26, 2, 15, 4, 510));
    expect(parseEventTime('2026-11-26T02:15:04.512Z')).toBe(Date.UTC(2026, 10, 26, 2, 15, 4, 512));
    expect(parseEventTime('2026-11-26T02:15:04.512999Z')).toBe(Date.UTC(2026, 10, 26, 2, 15, 4, 512));
  });

  it('rejects 7 fraction digits, an empty fraction and a missing Z', () => {
    expect(parseEventTime('2026-11-26T02:15:04.5129999Z')).toBeUndefined();
    expect(parseEventTime('2026-11-26T02:15:04.Z')).toBeUndefined();
    expect(parseEventTime('2026-11-26T02:15:04.512')).toBeUndefined();
    expect(parseEventTime('2026-11-26T02:15:04,512Z')).toBeUndefined();
    expect(parseEventTime('2026-11-26t02:15:04.512Z')).toBeUndefined();
    expect(parseEventTime('2026-11-26T02:15:04.512z')).toBeUndefined();
  });

  it('rejects a non-digit in any digit position, including non-ASCII digits', () => {
    const good = '2026-11-26T02:15:04.512Z';
    for (const i of [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22]) {
      expect(parseEventTime(`${good.slice(0, i)}x${good.slice(i + 1)}`)).toBeUndefined();
      expect(parseEventTime(`${good.slice(0, i)}\u0663${good.slice(i + 1)}`)).toBeUndefined();
    }
  });

  it('rejects out-of-range fields and calendar overflow, and accepts real month ends', () => {
    expect(parseEventTime('2026-13-01T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-00-01T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-01-00T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-01-01T24:00:00Z')).toBeUndefined();
    expect(parseEventTime('2026-01-01T00:60:00Z')).toBeUndefined();
    expect(parseEventTime('2026-01-01T00:00:60Z')).toBeUndefined();
    expect(parseEventTime('2026-04-31T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2023-02-29T00:00:00Z')).toBeUndefined();
    expect(parseEventTime('2024-02-29T23:59:59.999Z')).toBe(Date.UTC(2024, 1, 29, 23, 59, 59, 999));
    expect(parseEventTime('2026-01-31T00:00:00Z')).toBe(Date.UTC(2026, 0, 31));
  });
});

describe('paisaFromJsonNumber (integer fast path)', () => {
  it('scales whole rupees exactly and rejects those beyond safe paisa', () => {
    expect(paisaFromJsonNumber(185)).toBe(18500);
    expect(paisaFromJsonNumber(0)).toBe(0);
    expect(paisaFromJsonNumber(-3)).toBe(-300);
    expect(paisaFromJsonNumber(90_071_992_547_409)).toBe(9_007_199_254_740_900);
    expect(paisaFromJsonNumber(90_071_992_547_410)).toBeUndefined();
    expect(paisaFromJsonNumber(1e300)).toBeUndefined();
    expect(paisaFromJsonNumber(Number.POSITIVE_INFINITY)).toBeUndefined();
    expect(paisaFromJsonNumber(Number.NaN)).toBeUndefined();
  });
});

describe('validateOrderText (duplicate items without a Set)', () => {
  const catalog = loadDefaultCatalog();
  const line = (id: string, name: string, category: string, price: number) =>
    ({ item_id: id, item_name: name, category, price, quantity: 1, amount: price }) as const;
  const order = (lines: unknown[], total: number): string =>
    JSON.stringify({
      schema_version: 1,
      order_id: 'o-1',
      timestamp: '2026-11-26T02:15:04.512Z',
      branch: 'Jhamsikhel',
      terminal_id: 'Jhamsikhel-2',
      order_details: lines,
      total_order_amount: total,
      currency: 'NPR',
      mode_of_payment: 'cash',
    });

  it('names the later line of a repeated item, wherever the repeat is', () => {
    const a = line('HOT-1', 'Americano', 'hot_beverages', 185);
    const b = line('BRE-58', 'Waffle', 'breakfast', 775);
    expect(validateOrderText(order([a, b, a], 1145), catalog)).toEqual({
      ok: false,
      rule: 'item',
      reason: 'item: order_details[2]: item HOT-1 appears twice',
    });
    expect(validateOrderText(order([b, a, a], 1145), catalog)).toMatchObject({
      reason: 'item: order_details[2]: item HOT-1 appears twice',
    });
  });

  it('keeps the wire item name and category even when they differ from the catalog', () => {
    const v = validateOrderText(order([line('HOT-1', 'Long Black', 'coffee', 185)], 185), catalog);
    expect(v.ok && v.order.lines[0]).toMatchObject({ itemName: 'Long Black', category: 'coffee' });
  });
});

describe('FileSource.read (one decode per ASCII range)', () => {
  it('gives the same offsets and values for ASCII and non-ASCII ranges', async () => {
    // Given a file whose second half holds multi-byte and invalid UTF-8
    const dir = mkdtempSync(join(tmpdir(), 'brewline-hot-path-'));
    try {
      const path = join(dir, 'orders.ndjson');
      writeFileSync(
        path,
        Buffer.concat([Buffer.from('a\nbc\n\n'), Buffer.from('né\n'), Buffer.from([0xff, 0x0a])]),
      );
      const source = new FileSource({ path, now: () => 1 });
      await source.open();
      // When read as an ASCII range, then a mixed range, then the same ASCII range again (reused buffer)
      const ascii = await source.read([{ partition: 0, from: 0, to: 6 }]);
      const mixed = await source.read([{ partition: 0, from: 6, to: 12 }]);
      const again = await source.read([{ partition: 0, from: 2, to: 6 }]);
      await source.close();
      // Then offsets are byte offsets and values the lines' exact bytes (invalid UTF-8 kept, never U+FFFD)
      const hex = (rs: typeof ascii): unknown[] =>
        rs.map((r) => [r.offset, Buffer.from(r.value).toString('hex')]);
      expect(hex(ascii)).toEqual([
        [0, '61'],
        [2, '6263'],
        [5, ''],
      ]);
      expect(hex(mixed)).toEqual([
        [6, Buffer.from('né').toString('hex')],
        [10, 'ff'],
      ]);
      expect(ascii.map((r) => r.text)).toEqual(['a', 'bc', '']);
      expect(hex(again)).toEqual([
        [2, '6263'],
        [5, ''],
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
