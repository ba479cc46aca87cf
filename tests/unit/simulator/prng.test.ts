import { describe, expect, it } from 'vitest';
import { AliasTable, hashName, Sfc32, streamKey } from '../../../src/simulator/prng.js';

describe('seeded random streams', () => {
  it('given the same key, when drawn twice, then the sequences are identical', () => {
    const a = new Sfc32(streamKey(7, hashName('Jhamsikhel'), 1));
    const b = new Sfc32(streamKey(7, hashName('Jhamsikhel'), 1));
    const xs = Array.from({ length: 1000 }, () => a.nextU32());
    const ys = Array.from({ length: 1000 }, () => b.nextU32());
    expect(xs).toEqual(ys);
  });

  it('given different seeds, branches or purposes, then the streams differ', () => {
    const first = (key: number): number[] => {
      const r = new Sfc32(key);
      return Array.from({ length: 8 }, () => r.nextU32());
    };
    const base = first(streamKey(7, hashName('Boudha'), 1));
    expect(first(streamKey(8, hashName('Boudha'), 1))).not.toEqual(base);
    expect(first(streamKey(7, hashName('Boudha(Phulbari)'), 1))).not.toEqual(base);
    expect(first(streamKey(7, hashName('Boudha'), 2))).not.toEqual(base);
    // Seeds that differ only above 2^32 are still different seeds.
    expect(first(streamKey(2 ** 32 + 7, hashName('Boudha'), 1))).not.toEqual(base);
  });

  it('draws uniform floats in [0, 1) with a mean near one half', () => {
    const r = new Sfc32(42);
    let sum = 0;
    const buckets = new Array<number>(10).fill(0);
    let min = 1;
    let max = 0;
    for (let i = 0; i < 100_000; i++) {
      const x = r.next();
      min = Math.min(min, x);
      max = Math.max(max, x);
      sum += x;
      buckets[Math.floor(x * 10)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / 100_000).toBeCloseTo(0.5, 2);
    for (const b of buckets) expect(Math.abs(b - 10_000)).toBeLessThan(500);
  });

  it('picks alias-table indices in proportion to their weights', () => {
    const table = new AliasTable([1, 0, 3, 6]);
    const r = new Sfc32(1);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[table.pick(r)]!++;
    expect(counts[1]).toBe(0);
    expect(counts[0]! / 100_000).toBeCloseTo(0.1, 1);
    expect(counts[2]! / 100_000).toBeCloseTo(0.3, 1);
    expect(counts[3]! / 100_000).toBeCloseTo(0.6, 1);
  });
});
