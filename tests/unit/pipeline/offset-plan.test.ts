import { describe, expect, it } from 'vitest';
import { prorateDense, spansFor } from '../../../src/pipeline/offset-plan.js';

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
