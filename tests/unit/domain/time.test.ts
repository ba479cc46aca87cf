import { describe, expect, it } from 'vitest';
import {
  formatNepalTime,
  HOUR_MS,
  MINUTE_MS,
  NEPAL_HOURLY_WINDOW,
  nepalMinuteOfDay,
  parseDuration,
  parseEventTime,
  windowStart,
} from '../../../src/domain/time.js';

describe('windows aligned like Spark window(ts, "1 hour", "1 hour", "15 minutes")', () => {
  it('puts 02:15:04Z (08:00 NPT) in the window starting 02:15Z', () => {
    const ts = Date.parse('2026-11-26T02:15:04.512Z');
    expect(new Date(windowStart(ts, NEPAL_HOURLY_WINDOW)).toISOString()).toBe('2026-11-26T02:15:00.000Z');
  });

  it('treats the window start as inclusive and the end as exclusive', () => {
    const start = Date.parse('2026-11-26T02:15:00.000Z');
    expect(windowStart(start, NEPAL_HOURLY_WINDOW)).toBe(start);
    expect(windowStart(start - 1, NEPAL_HOURLY_WINDOW)).toBe(start - HOUR_MS);
  });

  it('aligns windows to Nepal local hours', () => {
    const ts = Date.parse('2026-11-26T03:50:00.000Z');
    expect(formatNepalTime(windowStart(ts, NEPAL_HOURLY_WINDOW))).toBe('2026-11-26 09:00:00');
  });

  it('handles times before the epoch offset (floor, not truncation)', () => {
    expect(windowStart(0, NEPAL_HOURLY_WINDOW)).toBe(15 * MINUTE_MS - HOUR_MS);
  });
});

describe('event time parsing', () => {
  it('accepts the contract form and rejects others', () => {
    expect(parseEventTime('2026-11-26T02:15:04.512Z')).toBe(Date.parse('2026-11-26T02:15:04.512Z'));
    expect(parseEventTime('2026-11-26T02:15:04Z')).toBe(Date.parse('2026-11-26T02:15:04Z'));
    expect(parseEventTime('2026-11-26 02:15:04')).toBeUndefined();
    expect(parseEventTime('2026-02-30T02:15:04.000Z')).toBeUndefined();
    expect(parseEventTime('2026-11-26T02:15:04.512+05:45')).toBeUndefined();
    expect(parseEventTime(1764123304512)).toBeUndefined();
  });

  it('knows the Nepal minute of day', () => {
    expect(nepalMinuteOfDay(Date.parse('2026-11-26T01:15:00Z'))).toBe(7 * 60);
  });
});

describe('durations', () => {
  it('parses units and compounds', () => {
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('10')).toBeUndefined();
    expect(parseDuration('10 minutes')).toBeUndefined();
    expect(parseDuration('')).toBeUndefined();
  });
});
