import { describe, expect, it } from 'vitest';
import {
  DEFAULT_THRESHOLDS,
  thresholdLevel,
  thresholdRatio,
  thresholdVerdict,
} from '../../../src/monitor/health-verdict.js';
import { formatThresholds, parseThresholds } from '../../../src/monitor/thresholds.js';

describe('health thresholds', () => {
  it('prints and parses the documented text form, keeping defaults for names left out', () => {
    expect(formatThresholds()).toBe(
      'lag=30s/2m,backlog=10000/100000,watermark-gap=3h/12h,since-batch=30s/2m',
    );
    expect(parseThresholds(formatThresholds())).toEqual(DEFAULT_THRESHOLDS);
    const parsed = parseThresholds('backlog=5k/-, lag=10s/1m');
    expect(parsed).toEqual({
      ...DEFAULT_THRESHOLDS,
      lagRecords: { warn: 5000, err: undefined },
      lagSeconds: { warn: 10_000, err: 60_000 },
    });
  });

  it('rejects unknown names, bad values and an error level below the warning', () => {
    expect(parseThresholds('lagg=1s/2s')).toMatch(/^expected name=WARN\/ERR with a name of lag, backlog/);
    expect(parseThresholds('lag=soon/2m')).toBe('lag: expected a duration like 30s or 2m, got "soon"');
    expect(parseThresholds('backlog=10/5')).toBe('backlog: the error level 5 is below the warning level 10');
  });

  it('grades a value ok / warn / err and 0..1 for colour gradients', () => {
    const levels = { warn: 10, err: 20 };
    expect([5, 10, 19, 20, null].map((v) => thresholdLevel(v, levels))).toEqual([
      'ok',
      'warn',
      'warn',
      'err',
      'ok',
    ]);
    expect(thresholdRatio(5, levels)).toBe(0.25);
    expect(thresholdRatio(50, levels)).toBe(1);
  });

  it('names the worst breach', () => {
    const v = thresholdVerdict(
      { lagMs: null, lagRecords: 20_000, watermarkGapMs: 13 * 3_600_000, sinceBatchMs: 100 },
      DEFAULT_THRESHOLDS,
      (name, value) => (name === 'lagRecords' ? String(value) : `${value / 3_600_000}h`),
    );
    expect(v).toEqual({ verdict: 'ERR', reason: 'watermark gap 13h ≥ 12h' });
  });
});
