import { describe, expect, it } from 'vitest';
import {
  averagePaisa,
  formatNpr,
  paisaFromDecimalString,
  paisaFromJsonNumber,
  paisaToDecimalString,
  paisaToJsonNumber,
} from '../../../src/domain/money.js';

describe('money in integer paisa', () => {
  it('reads JSON numbers with at most two decimals exactly', () => {
    expect(paisaFromJsonNumber(185)).toBe(18500);
    expect(paisaFromJsonNumber(0.1)).toBe(10);
    expect(paisaFromJsonNumber(1145.55)).toBe(114555);
    expect(paisaFromJsonNumber(19.99)).toBe(1999);
    expect(paisaFromJsonNumber(1.005)).toBeUndefined();
    expect(paisaFromJsonNumber('185')).toBeUndefined();
    expect(paisaFromJsonNumber(Number.NaN)).toBeUndefined();
  });

  it('writes the shortest exact JSON number and fixed decimals', () => {
    expect(paisaToJsonNumber(18500)).toBe('185');
    expect(paisaToJsonNumber(18550)).toBe('185.5');
    expect(paisaToJsonNumber(18505)).toBe('185.05');
    expect(paisaToJsonNumber(-5)).toBe('-0.05');
    expect(paisaToDecimalString(18500)).toBe('185.00');
    expect(paisaToDecimalString(5n)).toBe('0.05');
    expect(paisaToDecimalString(-12345)).toBe('-123.45');
  });

  it('round-trips decimal strings', () => {
    for (const p of [0, 1, 99, 100, 18550, 123456789, -42]) {
      expect(paisaFromDecimalString(paisaToDecimalString(p))).toBe(p);
    }
    expect(() => paisaFromDecimalString('1.234')).toThrow(RangeError);
  });

  it('rounds the average half up to the paisa', () => {
    expect(averagePaisa(1000, 3)).toBe(333);
    expect(averagePaisa(1001, 2)).toBe(501);
    expect(averagePaisa(1000, 0)).toBe(0);
  });

  it('formats with thousands separators', () => {
    expect(formatNpr(123456789)).toBe('1,234,567.89');
    expect(formatNpr(123456789, { decimals: false })).toBe('1,234,567');
  });
});
