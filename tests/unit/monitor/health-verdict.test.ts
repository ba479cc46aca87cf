import { describe, expect, it } from 'vitest';
import {
  partitionVerdict,
  pushObservation,
  worstVerdict,
  type LagObservation,
} from '../../../src/monitor/health-verdict.js';

/** Readings one second apart: [offset, lag] pairs. */
function readings(pairs: readonly [number, number][], startMs = 0): LagObservation[] {
  return pairs.map(([offset, lag], i) => ({ atMs: startMs + i * 1000, offset, lag }));
}

const base = { window: 5, stopAfterMs: 3000 };

describe('partition verdicts (Burrow rules, SEMANTICS.md)', () => {
  it('is OK when lag reached zero anywhere in the window, whatever else happened', () => {
    // Given an offset that went backwards but a zero lag within the window
    const obs = readings([
      [10, 5],
      [8, 0],
      [8, 3],
      [8, 4],
      [8, 5],
    ]);
    // Then the partition is OK (rule 1 wins)
    expect(partitionVerdict({ ...base, observations: obs, nowMs: 4000, lastProgressMs: 4000 }).verdict).toBe(
      'OK',
    );
  });

  it('is REWIND when the processed offset goes backwards while lagging', () => {
    const obs = readings([
      [10, 5],
      [12, 6],
      [7, 9],
    ]);
    const v = partitionVerdict({ ...base, observations: obs, nowMs: 2000, lastProgressMs: 2000 });
    expect(v.verdict).toBe('REWIND');
    expect(v.reason).toContain('12 to 7');
  });

  it('is STOP when the engine is silent for longer than the window spans (and the floor)', () => {
    const obs = readings([
      [10, 5],
      [11, 6],
      [12, 7],
    ]);
    // Given the last progress 5s before now, a 2s window span and a 3s floor
    const stopped = partitionVerdict({ ...base, observations: obs, nowMs: 7000, lastProgressMs: 2000 });
    expect(stopped.verdict).toBe('STOP');
    // When the silence is within the floor, it is not a stop
    expect(partitionVerdict({ ...base, observations: obs, nowMs: 4500, lastProgressMs: 2000 }).verdict).toBe(
      'OK',
    );
  });

  it('is STALL when progress continues but the offset never moves across a full window', () => {
    const obs = readings([
      [10, 5],
      [10, 6],
      [10, 7],
      [10, 7],
      [10, 8],
    ]);
    const v = partitionVerdict({ ...base, observations: obs, nowMs: 4000, lastProgressMs: 4000 });
    expect(v.verdict).toBe('STALL');
    expect(v.reason).toBe('offset stuck at 10 with lag 8');
  });

  it('is WARN when the offset moves but lag never decreases across a full window', () => {
    const obs = readings([
      [10, 5],
      [20, 5],
      [30, 9],
      [40, 12],
      [50, 12],
    ]);
    expect(partitionVerdict({ ...base, observations: obs, nowMs: 4000, lastProgressMs: 4000 }).verdict).toBe(
      'WARN',
    );
  });

  it('is OK when lag went down at least once, and does not judge trends on a partial window', () => {
    const falling = readings([
      [10, 5],
      [20, 9],
      [30, 4],
      [40, 6],
      [50, 7],
    ]);
    expect(
      partitionVerdict({ ...base, observations: falling, nowMs: 4000, lastProgressMs: 4000 }).verdict,
    ).toBe('OK');
    const partial = readings([
      [10, 5],
      [10, 6],
    ]);
    expect(
      partitionVerdict({ ...base, observations: partial, nowMs: 1000, lastProgressMs: 1000 }).verdict,
    ).toBe('OK');
  });

  it('takes the worst partition as the query verdict, REWIND > STOP > STALL > WARN > OK', () => {
    expect(worstVerdict(['OK', 'WARN', 'OK'])).toBe('WARN');
    expect(worstVerdict(['STALL', 'STOP', 'WARN'])).toBe('STOP');
    expect(worstVerdict(['STOP', 'REWIND'])).toBe('REWIND');
    expect(worstVerdict([])).toBe('OK');
  });

  it('keeps a sliding window of the last observations without mutating the old one', () => {
    const old = readings([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    const next = pushObservation(old, { atMs: 9, offset: 4, lag: 4 }, 3);
    expect(next.map((o) => o.offset)).toEqual([2, 3, 4]);
    expect(old).toHaveLength(3);
  });
});
