import { describe, expect, it } from 'vitest';
import { DEMO_SPEED, sparkDemoThresholds } from '../../../src/commands/demo.js';
import { parseThresholds } from '../../../src/monitor/thresholds.js';

describe('demo --engine spark health thresholds', () => {
  it('scale the watermark gap (simulated time) with the speed, as the real-time lag tolerance', () => {
    // At the demo speed (a day per minute), 2 and 10 real minutes behind are 48 and 240 simulated hours
    const at1440 = parseThresholds(sparkDemoThresholds(DEMO_SPEED));
    expect(typeof at1440).not.toBe('string');
    if (typeof at1440 === 'string') return;
    expect(at1440.watermarkGap).toEqual({ warn: 48 * 3_600_000, err: 240 * 3_600_000 });
    expect(at1440.lagSeconds).toEqual({ warn: 120_000, err: 600_000 });
    // At real time the gap levels stay meaningful (at least an hour)
    const realTime = parseThresholds(sparkDemoThresholds(1));
    if (typeof realTime === 'string') throw new Error(realTime);
    expect(realTime.watermarkGap).toEqual({ warn: 3_600_000, err: 3_600_000 });
  });
});
