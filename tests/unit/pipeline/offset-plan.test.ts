import { describe, expect, it } from 'vitest';
import { DataIntegrityError } from '../../../src/errors.js';
import { checkPlannedEnd, prorateDense, recordBudget, spansFor } from '../../../src/pipeline/offset-plan.js';

describe('batch planning', () => {
  it('starts new partitions at their earliest offset and caps at an available-now target', () => {
    const spans = spansFor(
      { 0: 10 },
      [
        { partition: 0, earliest: 0, latest: 50 },
        { partition: 1, earliest: 5, latest: 40 },
      ],
      { 0: 30, 1: 100 },
    );
    expect(spans).toEqual([
      { partition: 0, from: 10, limit: 30 },
      { partition: 1, from: 5, limit: 40 },
    ]);
  });

  it('shares maxRecords in proportion to backlog, rounding small shares up (Spark maxOffsetsPerTrigger)', () => {
    const end = prorateDense(
      [
        { partition: 0, from: 0, limit: 900 },
        { partition: 1, from: 0, limit: 99 },
        { partition: 2, from: 7, limit: 8 },
      ],
      100,
    );
    // shares: 900/1000·100 = 90, 99/1000·100 = 9.9 → 9, 1/1000·100 = 0.1 → 1
    expect(end).toEqual({ 0: 90, 1: 9, 2: 8 });
  });

  it('takes everything when the backlog fits', () => {
    expect(prorateDense([{ partition: 0, from: 3, limit: 9 }], 100)).toEqual({ 0: 9 });
  });
});

describe('batch planning bounded by bytes (issue 10 items 1 and 3)', () => {
  it('turns the byte budget into records from the last batch read, never below one record', () => {
    expect(recordBudget(50_000, 64 << 20)).toBe(50_000);
    expect(recordBudget(50_000, 1_000_000, { records: 10, bytes: 110_000 })).toBe(90);
    expect(recordBudget(50_000, 1_000, { records: 1, bytes: 1_000_000 })).toBe(1);
    expect(recordBudget(100, 64 << 20, { records: 10, bytes: 100 })).toBe(100);
  });

  it('refuses a planned end outside the span it was planned in', () => {
    const spans = [{ partition: 0, from: 10, limit: 50 }];
    expect(() => checkPlannedEnd(spans, { 0: 50 })).not.toThrow();
    expect(() => checkPlannedEnd(spans, { 0: 51 })).toThrow(DataIntegrityError);
    expect(() => checkPlannedEnd(spans, { 0: 9 })).toThrow(/refusing to log end offset 9/);
  });
});
