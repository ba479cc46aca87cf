import { describe, expect, it } from 'vitest';
import { hourAxis, hourlyChartLines, hourSlots } from '../../../src/tui/hourly-chart.js';
import { sparkline, bar } from '../../../src/tui/sparkline.js';
import { fitLine, flow, lineWidth, span } from '../../../src/tui/spans.js';

const HOUR = 3_600_000;
const NPT_0700 = Date.UTC(2026, 0, 1, 1, 15); // a window start: 07:00 Nepal time

describe('hourly chart', () => {
  it('fills closed hours with zero so each hour keeps its column, and keeps only the last 24', () => {
    const hourly = [
      { windowStartMs: NPT_0700, revenue: 100, orders: 1, items: 1 },
      { windowStartMs: NPT_0700 + 3 * HOUR, revenue: 300, orders: 3, items: 3 },
    ];
    expect(hourSlots(hourly).map((s) => [s.startMs - NPT_0700, s.revenue])).toEqual([
      [0, 100],
      [HOUR, 0],
      [2 * HOUR, 0],
      [3 * HOUR, 300],
    ]);
    const long = Array.from({ length: 30 }, (_, i) => ({
      windowStartMs: NPT_0700 + i * HOUR,
      revenue: i,
      orders: i,
      items: i,
    }));
    const slots = hourSlots(long);
    expect(slots).toHaveLength(24);
    expect(slots[0]!.revenue).toBe(6);
  });

  it('labels the axis with Nepal local hours', () => {
    const slots = hourSlots([
      { windowStartMs: NPT_0700, revenue: 1, orders: 1, items: 1 },
      { windowStartMs: NPT_0700 + 2 * HOUR, revenue: 1, orders: 1, items: 1 },
    ]);
    expect(hourAxis(slots, 4)).toBe('07  08  09');
    // Too narrow for every label: every other one
    expect(hourAxis(slots, 2)).toBe('07  09');
  });

  it('draws a chart exactly as tall as asked and never wider than its panel', () => {
    const hourly = Array.from({ length: 24 }, (_, i) => ({
      windowStartMs: NPT_0700 + i * HOUR,
      revenue: (i % 14) * 100_000,
      orders: i % 14,
      items: i,
    }));
    for (const [width, height] of [
      [77, 4],
      [117, 11],
      [60, 8],
    ] as const) {
      const lines = hourlyChartLines(hourly, width, height);
      expect(lines.length).toBeLessThanOrEqual(height);
      for (const line of lines) expect(lineWidth(line)).toBeLessThanOrEqual(width);
    }
  });
});

describe('text charts and line fitting', () => {
  it('scales sparklines and bars', () => {
    expect(sparkline([0, 5, 10], 3)).toBe('▁▅█');
    expect(sparkline([1, 2, 3, 4], 2)).toBe('▆█');
    expect(bar(50, 100, 10)).toBe('█████');
    expect(bar(1, 1000, 10)).toBe('▏');
    expect(bar(0, 100, 10)).toBe('');
  });

  it('cuts with an ellipsis and pads to the exact width', () => {
    const fitted = fitLine([span('hello '), span('world')], 8);
    expect(fitted.map((s) => s.text).join('')).toBe('hello w…');
    expect(lineWidth(fitLine([span('ab')], 5))).toBe(5);
    expect(
      flow([[span('aaaa')], [span('bbbb')], [span('cc')]], 11).map((l) => l.map((s) => s.text).join('')),
    ).toEqual(['aaaa · bbbb', 'cc']);
  });
});
