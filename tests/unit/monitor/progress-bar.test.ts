import { describe, expect, it } from 'vitest';
import { progressBarLine, RateMeter } from '../../../src/monitor/progress-bar.js';

describe('progress line', () => {
  it('shows bar, percentage, counts with the unit, rate and ETA, never wider than the terminal', () => {
    const state = {
      done: 500_000,
      total: 2_000_000,
      unit: 'messages',
      detail: 'sim 2026-01-01 09:15 NPT · faults 12',
    };
    const wide = progressBarLine(state, 50_000, 200);
    expect(wide).toMatch(/^\[█+░+\] 25\.0% {2}500,000\/2,000,000 messages {2}50k\/s {2}ETA 30s {2}sim 2026/);
    for (const width of [20, 40, 80, 120]) {
      expect(progressBarLine(state, 50_000, width).length).toBeLessThanOrEqual(width - 1);
    }
    expect(progressBarLine(state, 50_000, 40)).toMatch(/…$/);
  });

  it('has no bar, percentage or ETA without a known end, and says done at the end', () => {
    expect(progressBarLine({ done: 12_345, total: undefined, unit: 'messages' }, 100, 80)).toBe(
      '12,345 messages  100/s',
    );
    expect(progressBarLine({ done: 10, total: 10, unit: 'records' }, 5, 80)).toMatch(
      /100\.0% {2}10\/10 records {2}5\/s {2}done$/,
    );
  });

  it('measures the rate over a sliding window', () => {
    const meter = new RateMeter(10_000);
    expect(meter.sample(0, 0)).toBeNull();
    expect(meter.sample(1000, 100)).toBe(100);
    expect(meter.sample(2000, 300)).toBe(150);
  });
});
