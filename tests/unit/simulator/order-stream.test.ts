import { describe, expect, it } from 'vitest';
import { loadDefaultCatalog } from '../../../src/domain/catalog.js';
import { MAX_LINES_PER_ORDER, validateOrderText } from '../../../src/domain/order-event.js';
import { HOUR_MS, MINUTE_MS, NEPAL_OFFSET_MS } from '../../../src/domain/time.js';
import { demandCurve } from '../../../src/simulator/day-curve.js';
import { INVALID_RULES } from '../../../src/simulator/faults.js';
import { ALL_FAULTS, collect, streamOptions } from './fixtures.js';

const catalog = loadDefaultCatalog();
const START = Date.parse('2026-01-01T07:00:00+05:45');
const nepalHour = (ms: number): number => new Date(ms + NEPAL_OFFSET_MS).getUTCHours();

describe('order stream: events as DOMAIN.md', () => {
  const messages = collect(streamOptions({ seed: 7, orders: 20_000, faults: ALL_FAULTS }));

  it('given a seed and volume, when generated twice, then the messages are byte-identical', () => {
    const again = collect(streamOptions({ seed: 7, orders: 20_000, faults: ALL_FAULTS }));
    expect(again.map((m) => m.text)).toEqual(messages.map((m) => m.text));
    const other = collect(streamOptions({ seed: 8, orders: 200 }));
    expect(other.map((m) => m.text)).not.toEqual(messages.slice(0, 200).map((m) => m.text));
  });

  it('makes every valid order conform to the contract, with the documented shape', () => {
    const valid = messages.filter((m) => ['order', 'late', 'very_late', 'duplicate'].includes(m.kind));
    expect(valid.length).toBeGreaterThan(19_000);
    for (const m of valid) {
      const v = validateOrderText(m.text, catalog);
      expect(v.ok, m.text).toBe(true);
      if (!v.ok) continue;
      const wire = JSON.parse(m.text) as Record<string, unknown>;
      expect(Object.keys(wire)).toEqual([
        'schema_version',
        'order_id',
        'timestamp',
        'branch',
        'terminal_id',
        'order_details',
        'total_order_amount',
        'currency',
        'mode_of_payment',
      ]);
      expect(wire['schema_version']).toBe(1);
      expect(v.order.orderId).toMatch(
        /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
      );
      expect(v.order.lines.length).toBeGreaterThanOrEqual(1);
      expect(v.order.lines.length).toBeLessThanOrEqual(MAX_LINES_PER_ORDER);
      for (const l of v.order.lines) expect(l.quantity).toBeLessThanOrEqual(4);
      expect((v.order.terminalId ?? '').startsWith(`${v.order.branch}-`)).toBe(true);
      expect(m.key).toBe(v.order.branch);
      expect(v.order.eventTimeMs).toBe(m.eventMs);
    }
  });

  it('gives distinct order ids to distinct orders', () => {
    const ids = messages.filter((m) => m.kind !== 'duplicate' && m.orderId !== '').map((m) => m.orderId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sends messages in non-decreasing simulated time, ties broken by branch', () => {
    for (let i = 1; i < messages.length; i++) {
      const a = messages[i - 1]!;
      const b = messages[i]!;
      expect(a.emitMs < b.emitMs || (a.emitMs === b.emitMs && a.branchIndex <= b.branchIndex)).toBe(true);
    }
  });

  it('makes every invalid event break exactly the rule it was built to break, covering every rule', () => {
    const invalid = messages.filter((m) => m.kind === 'invalid');
    expect(invalid.length).toBeGreaterThan(20);
    for (const m of invalid) {
      const v = validateOrderText(m.text, catalog);
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.rule, m.text).toBe(m.invalidRule);
    }
    const many = collect(streamOptions({ seed: 3, orders: 3000, faults: 'invalid=1' }));
    const rules = new Set(
      many.map((m) => validateOrderText(m.text, catalog)).map((v) => (v.ok ? 'ok' : v.rule)),
    );
    expect([...rules].sort()).toEqual([...INVALID_RULES].sort());
  });

  it('makes malformed messages unparseable: truncated JSON, binary bytes or a healthcheck', () => {
    const malformed = collect(streamOptions({ seed: 3, orders: 600, faults: 'malformed=1' }));
    expect(malformed.every((m) => m.kind === 'malformed')).toBe(true);
    for (const m of malformed) expect(validateOrderText(m.text, catalog).ok).toBe(false);
    expect(malformed.every((m) => validateOrderText(m.text, catalog).ok === false)).toBe(true);
    expect(malformed.some((m) => m.text === 'healthcheck')).toBe(true);
    expect(malformed.some((m) => m.binary)).toBe(true);
    expect(malformed.some((m) => m.text.startsWith('{"schema_version":1'))).toBe(true);
    for (const m of malformed) expect(m.text.includes('\n')).toBe(false);
  });

  it('makes oversize events larger than the configured limit', () => {
    const big = collect(streamOptions({ seed: 3, orders: 20, faults: 'oversize=1', maxEventBytes: 4096 }));
    for (const m of big) {
      expect(m.kind).toBe('oversize');
      expect(Buffer.byteLength(m.text)).toBeGreaterThan(4096);
    }
  });

  it('lags late orders by less than the watermark delay, and very late ones by more than window + delay + 20 min', () => {
    const late = messages.filter((m) => m.kind === 'late');
    const veryLate = messages.filter((m) => m.kind === 'very_late');
    expect(late.length).toBeGreaterThan(200);
    expect(veryLate.length).toBeGreaterThan(20);
    for (const m of late) {
      expect(m.emitMs - m.eventMs).toBeGreaterThan(0);
      expect(m.emitMs - m.eventMs).toBeLessThan(10 * MINUTE_MS);
    }
    for (const m of veryLate) {
      expect(m.emitMs - m.eventMs).toBeGreaterThanOrEqual(HOUR_MS + 10 * MINUTE_MS + 20 * MINUTE_MS);
      expect(m.emitMs).toBeGreaterThanOrEqual(START + 30 * MINUTE_MS);
    }
    const onTime = messages.filter((m) => m.kind === 'order');
    expect(onTime.every((m) => m.emitMs === m.eventMs)).toBe(true);
  });

  it('re-sends a duplicate with the same bytes, later but within the watermark delay', () => {
    const firstSeen = new Map<string, { text: string; emitMs: number }>();
    const dups = messages.filter((m) => m.kind === 'duplicate');
    expect(dups.length).toBeGreaterThan(100);
    for (const m of messages) {
      if (m.kind === 'duplicate') {
        const original = firstSeen.get(m.orderId);
        expect(original).toBeDefined();
        expect(m.text).toBe(original!.text);
        expect(m.emitMs).toBeGreaterThan(original!.emitMs);
        expect(m.emitMs - original!.emitMs).toBeLessThan(10 * MINUTE_MS);
      } else if (m.orderId !== '' && !firstSeen.has(m.orderId)) {
        firstSeen.set(m.orderId, { text: m.text, emitMs: m.emitMs });
      }
    }
  });

  it('counts messages, not orders, for the orders limit: faults included', () => {
    expect(messages).toHaveLength(20_000);
  });
});

describe('order stream: volume, profile and branches', () => {
  it('follows the daily curve: nothing outside 07:00–21:00 Nepal time, hourly counts track the curve', () => {
    const day = collect(
      streamOptions({ seed: 11, duration: '24h', ordersPerHour: 20_000, start: '2026-01-01T00:00:00+05:45' }),
    );
    const perHour = new Array<number>(24).fill(0);
    for (const m of day) perHour[nepalHour(m.eventMs)]!++;
    for (let h = 0; h < 24; h++) if (h < 7 || h >= 21) expect(perHour[h], `hour ${h}`).toBe(0);
    const curve = demandCurve('daily');
    const expected = (h: number): number => {
      let s = 0;
      for (let m = h * 60; m < (h + 1) * 60; m++) s += curve[m]!;
      return (20_000 * s) / 60;
    };
    for (let h = 7; h < 21; h++) {
      // Poisson noise on thousands of orders is a few percent; 8% tolerance still catches a wrong curve.
      expect(Math.abs(perHour[h]! - expected(h)) / expected(h), `hour ${h}`).toBeLessThan(0.08);
    }
    // Two peaks: the morning rush beats mid-morning, the afternoon peak beats the evening.
    expect(perHour[9]!).toBeGreaterThan(perHour[11]! * 1.2);
    expect(perHour[16]!).toBeGreaterThan(perHour[19]! * 1.2);
    // `--orders-per-hour` is the rate at the peak minute, so the busiest hour comes close to it.
    expect(Math.max(...perHour)).toBeGreaterThan(20_000 * 0.8);
    expect(Math.max(...perHour)).toBeLessThan(20_000 * 1.05);
  });

  it('keeps the flat profile level while open, and closed outside opening hours', () => {
    const day = collect(
      streamOptions({
        seed: 11,
        duration: '24h',
        ordersPerHour: 20_000,
        profile: 'flat',
        start: '2026-01-01T00:00:00+05:45',
      }),
    );
    const perHour = new Array<number>(24).fill(0);
    for (const m of day) perHour[nepalHour(m.eventMs)]!++;
    for (let h = 0; h < 24; h++) {
      if (h < 7 || h >= 21) expect(perHour[h]).toBe(0);
      else expect(Math.abs(perHour[h]! - 20_000) / 20_000).toBeLessThan(0.05);
    }
  });

  it('gives bigger branches proportionally more orders', () => {
    const msgs = collect(streamOptions({ seed: 5, duration: '14h', ordersPerHour: 30_000, profile: 'flat' }));
    const per = (name: string): number => msgs.filter((m) => m.key === name).length;
    const airport = per('Airport 1'); // size 1.6
    const kiosk = per('Lazimpat Kiosk'); // size 0.5
    expect(airport / kiosk).toBeGreaterThan(2.6);
    expect(airport / kiosk).toBeLessThan(3.8);
  });

  it('emits only the selected branches', () => {
    const msgs = collect(streamOptions({ seed: 5, orders: 2000, branches: 'Jhamsikhel,Boudha' }));
    expect(new Set(msgs.map((m) => m.key))).toEqual(new Set(['Jhamsikhel', 'Boudha']));
    const firstThree = collect(streamOptions({ seed: 5, orders: 2000, branches: 3 }));
    expect(new Set(firstThree.map((m) => m.key)).size).toBe(3);
  });

  it('stops at the end of the simulated duration', () => {
    const msgs = collect(streamOptions({ seed: 5, duration: '90m' }));
    expect(msgs.length).toBeGreaterThan(0);
    expect(msgs.every((m) => m.emitMs < START + 90 * MINUTE_MS)).toBe(true);
  });
});

describe('order stream: sharding', () => {
  it('given 4 shards, then their union is exactly the unsharded stream, split by branch', () => {
    const opts = { seed: 7, orders: 8000, faults: ALL_FAULTS };
    const whole = collect(streamOptions(opts));
    const shards = [0, 1, 2, 3].map((i) => collect(streamOptions({ ...opts, shard: `${i}/4` })));
    const union = shards.flat().map((m) => m.text);
    expect(union.sort()).toEqual(whole.map((m) => m.text).sort());
    const owners = new Map<string, number>();
    shards.forEach((s, i) =>
      s.forEach((m) => {
        expect(owners.get(m.key) ?? i).toBe(i);
        owners.set(m.key, i);
      }),
    );
    // Each shard is its branches' subsequence of the whole, in the same order.
    for (const [i, s] of shards.entries()) {
      expect(s.map((m) => m.text)).toEqual(whole.filter((m) => owners.get(m.key) === i).map((m) => m.text));
    }
  });
});
