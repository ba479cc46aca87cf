import { describe, expect, it } from 'vitest';
import { loadConfig, type FlagValue } from '../../../src/config/load.js';
import { configSchema, ENV_BINDINGS } from '../../../src/config/schema.js';
import { parseStart } from '../../../src/config/simulator-config.js';
import { ConfigError } from '../../../src/errors.js';

function load(flags: Record<string, unknown>, env: Record<string, string> = {}) {
  const list: FlagValue[] = Object.entries(flags).map(([path, value]) => ({
    path,
    flag: `--${path.split('.').pop()}`,
    value,
  }));
  return loadConfig(configSchema, { cwd: '/nonexistent-dir', env, envBindings: ENV_BINDINGS, flags: list })
    .config;
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('simulator config', () => {
  it('has deterministic defaults', () => {
    const c = load({});
    expect(c.simulator).toMatchObject({
      seed: 1,
      ordersPerHour: 12_000,
      profile: 'daily',
      maxEventBytes: 1_048_576,
    });
    expect(new Date(c.simulator.start).toISOString()).toBe('2026-01-01T01:15:00.000Z');
    expect(c.simulator.faults).toEqual({
      late: 0,
      very_late: 0,
      duplicate: 0,
      malformed: 0,
      invalid: 0,
      oversize: 0,
    });
    expect(c.sink).toEqual({ kind: 'stdout' });
  });

  it('parses flag strings: faults, shard, branches, speed, durations', () => {
    const c = load({
      'simulator.faults': 'late=0.02,duplicate=0.01',
      'simulator.shard': '1/4',
      'simulator.branches': 'Jhamsikhel, Boudha',
      'simulator.speed': 'max',
      'simulator.duration': '1h30m',
      'simulator.orders': '100',
    });
    expect(c.simulator.faults).toMatchObject({ late: 0.02, duplicate: 0.01, malformed: 0 });
    expect(c.simulator.shard).toEqual({ index: 1, count: 4 });
    expect(c.simulator.branches).toEqual(['Jhamsikhel', 'Boudha']);
    expect(c.simulator.speed).toBe('max');
    expect(c.simulator.duration).toBe(90 * 60_000);
    expect(c.simulator.orders).toBe(100);
    expect(load({ 'simulator.branches': '5', 'simulator.speed': '60' }).simulator).toMatchObject({
      branches: 5,
      speed: 60,
    });
  });

  it('reads BREWLINE_* environment variables, flags winning over them', () => {
    const env = {
      BREWLINE_SEED: '42',
      BREWLINE_ORDERS_PER_HOUR: '500',
      BREWLINE_FAULTS: 'invalid=0.1',
      BREWLINE_SINK: 'null',
    };
    const c = load({}, env);
    expect(c.simulator).toMatchObject({ seed: 42, ordersPerHour: 500 });
    expect(c.simulator.faults.invalid).toBe(0.1);
    expect(c.sink.kind).toBe('null');
    expect(load({ 'simulator.seed': '7' }, env).simulator.seed).toBe(7);
  });

  it('takes --out alone to mean the file sink', () => {
    expect(load({ 'sink.path': 'o.ndjson' }).sink).toEqual({ kind: 'file', path: 'o.ndjson', append: false });
  });

  it('reads --start with a zone, or as Nepal time without one', () => {
    expect(parseStart('2026-11-26T08:00:00Z')).toBe(Date.parse('2026-11-26T08:00:00Z'));
    expect(parseStart('2026-11-26T07:00')).toBe(Date.parse('2026-11-26T07:00:00+05:45'));
    expect(parseStart('2026-11-26')).toBe(Date.parse('2026-11-26T00:00:00+05:45'));
    expect(parseStart('2026-02-30T07:00')).toBeUndefined();
    expect(parseStart('yesterday')).toBeUndefined();
  });

  it.each([
    [{ 'simulator.faults': 'bogus=0.1' }, /simulator\.faults.*bogus/],
    [{ 'simulator.faults': 'late=2' }, /simulator\.faults\.late: expected a fraction between 0 and 1/],
    [{ 'simulator.faults': 'late' }, /simulator\.faults: expected kind=rate pairs/],
    [{ 'simulator.faults': 'late=0.6,invalid=0.6' }, /must not exceed 1/],
    [{ 'simulator.shard': '4/4' }, /simulator\.shard: expected i\/n/],
    [{ 'simulator.speed': 'fast' }, /simulator\.speed: expected "max" or a positive number/],
    [{ 'simulator.speed': '0' }, /simulator\.speed/],
    [{ 'simulator.speed': '60', 'simulator.rate': '100' }, /simulator\.rate: set either speed or rate/],
    [{ 'simulator.start': 'yesterday' }, /simulator\.start: expected an ISO-8601 date-time/],
    [{ 'simulator.duration': 'soon' }, /simulator\.duration: expected a duration/],
    [{ 'simulator.orders': '-5' }, /simulator\.orders: expected a number above 0/],
    [{ 'simulator.profile': 'weekend' }, /simulator\.profile: expected "daily" or "flat"/],
    [{ 'sink.kind': 'file' }, /the file sink needs --out PATH/],
    [{ 'sink.kind': 'carrier-pigeon' }, /sink/],
  ])('rejects bad values with one clear message naming the field: %j', (flags, pattern) => {
    const message = errorOf(() => load(flags));
    expect(message).toMatch(pattern);
    expect(message).not.toMatch(/\n\s+at /);
  });

  it('names the environment variable a bad value came from', () => {
    expect(errorOf(() => load({}, { BREWLINE_SPEED: 'warp' }))).toMatch(
      /from environment variable BREWLINE_SPEED/,
    );
  });
});
