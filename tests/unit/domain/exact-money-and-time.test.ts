import { describe, expect, it } from 'vitest';
import {
  INEXACT,
  paisaFromLiteral,
  scanOrderLiterals,
  TOO_LARGE,
} from '../../../src/domain/json-literals.js';
import {
  daysFromCivil,
  formatEventTimeMicros,
  OUT_OF_RANGE,
  parseEventTime,
  parseEventTimeMicros,
} from '../../../src/domain/time.js';

const paisa = (literal: string): number => paisaFromLiteral(literal, 0, literal.length);

describe('money from the JSON literal as written (issue 9 item 5)', () => {
  it.each([
    ['185', 18_500],
    ['185.10', 18_510],
    ['185.100', 18_510],
    ['185.1', 18_510],
    ['1e2', 10_000],
    ['1E+2', 10_000],
    ['1.5e-1', 15],
    ['0.01', 1],
    ['50000.05', 5_000_005],
    ['1000000.01', 100_000_001],
    ['99999999.99', 9_999_999_999],
    ['-185.5', -18_550],
    ['-0', 0],
    ['0.000', 0],
  ])('%s is exactly %d paisa', (literal, expected) => {
    expect(paisa(literal)).toBe(expected);
  });

  it.each(['185.0000001', '1000000.009', '50000.04999', '0.30000000000000004', '185.001', '1e-3', '0.125'])(
    '%s has more than 2 significant decimals',
    (literal) => {
      expect(paisa(literal)).toBe(INEXACT);
    },
  );

  it('refuses values with more than 15 digits of paisa instead of rounding them', () => {
    expect(paisa('9999999999999.99')).toBe(999_999_999_999_999);
    expect(paisa('10000000000000')).toBe(TOO_LARGE);
    expect(paisa('1e300')).toBe(TOO_LARGE);
  });

  it('picks the literals of the money fields by path, the last of a repeated key, nothing else', () => {
    const text =
      '{"tip":0.123,"order_details":[{"price":185.001,"price":185,"quantity":2,"amount":370,"x":{"price":1.5555}},' +
      '{"item_name":"a \\" \\\\","price":1e2,"quantity":1.0,"amount":100}],"total_order_amount":470.00}';
    const lits = scanOrderLiterals(text);
    expect(lits.lines).toBe(2);
    expect([lits.price[0], lits.amount[0], lits.quantityIsInteger[0]]).toEqual([18_500, 37_000, 1]);
    expect([lits.price[1], lits.amount[1], lits.quantityIsInteger[1]]).toEqual([10_000, 10_000, 0]);
    expect(lits.total).toBe(47_000);
  });
});

describe('event times without the Date.UTC trap (issue 9 item 7)', () => {
  it('computes years 0000–0099 on the proleptic Gregorian calendar', () => {
    // Date.UTC(50, …) would give 1950; setUTCFullYear gives the real year 50
    const year50 = new Date(0);
    year50.setUTCFullYear(50, 5, 1);
    expect(daysFromCivil(50, 6, 1) * 86_400_000).toBe(year50.getTime());
    expect(daysFromCivil(1970, 1, 1)).toBe(0);
    expect(daysFromCivil(2026, 11, 26) * 86_400_000).toBe(Date.UTC(2026, 10, 26));
  });

  it('reports well-formed times outside 1700–2250 as out of range, not as another date', () => {
    expect(parseEventTimeMicros('0050-06-01T00:00:00.000Z')).toBe(OUT_OF_RANGE);
    expect(parseEventTimeMicros('2300-01-01T00:00:00.000Z')).toBe(OUT_OF_RANGE);
    expect(parseEventTimeMicros('2250-01-01T00:00:00.000Z')).toBe(OUT_OF_RANGE);
    expect(parseEventTime('0050-06-01T00:00:00.000Z')).toBeUndefined();
    expect(parseEventTimeMicros('1700-01-01T00:00:00.000Z')).toBe(Date.UTC(1700, 0, 1) * 1000);
  });

  it('keeps microseconds, and reads the schema version 0 (Python) form', () => {
    const micros = parseEventTimeMicros('2026-01-10 07:39:04.123456', 'python');
    expect(micros).toBe(Date.UTC(2026, 0, 10, 7, 39, 4, 123) * 1000 + 456);
    expect(formatEventTimeMicros(micros!)).toBe('2026-01-10T07:39:04.123456Z');
    expect(parseEventTimeMicros('2026-01-10 07:39:04', 'python')).toBe(
      Date.UTC(2026, 0, 10, 7, 39, 4) * 1000,
    );
    expect(parseEventTimeMicros('2026-01-10 07:39:04.123', 'python')).toBeUndefined();
    expect(parseEventTimeMicros('2026-01-10T07:39:04.123456Z', 'python')).toBeUndefined();
    expect(parseEventTimeMicros('2026-01-10 07:39:04.123456')).toBeUndefined();
    expect(formatEventTimeMicros(Date.UTC(2026, 0, 10) * 1000)).toBe('2026-01-10T00:00:00.000Z');
  });
});
