import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/domain/clock.js';
import { loadDefaultCatalog } from '../../../src/domain/catalog.js';
import { validateOrderText } from '../../../src/domain/order-event.js';
import { Simulation, type SimulationResult } from '../../../src/simulator/index.js';
import { recomputeGold } from './gold-recompute.js';
import { ALL_FAULTS, collect, streamOptions } from './fixtures.js';
import { MemorySink } from './memory-sink.js';

const catalog = loadDefaultCatalog();
const START = Date.parse('2026-01-01T07:00:00+05:45');
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Drives a virtual clock in small steps until the run ends. */
async function runVirtually(
  sim: Simulation,
  clock: VirtualClock,
  stepMs: number,
  signal?: AbortSignal,
): Promise<SimulationResult> {
  let done: SimulationResult | undefined;
  const running = sim.run(signal).then((r) => (done = r));
  for (let i = 0; i < 1_000_000 && done === undefined; i++) await clock.advance(stepMs);
  return running;
}

function expectLedgerMatchesLines(result: SimulationResult, lines: string[]): void {
  const gold = recomputeGold(lines, catalog);
  expect(result.ledger.gold.branch_revenue).toEqual(gold.branch_revenue);
  expect(result.ledger.gold.product_popularity).toEqual(gold.product_popularity);
  expect(result.ledger.gold.hourly_sales).toEqual(gold.hourly_sales);
  expect(result.ledger.totals.orders).toBe(gold.validOrders);
  expect(result.ledger.messages.sent).toBe(lines.length);
}

describe('simulation: the ledger is the truth of what was sent', () => {
  it('given all fault kinds, then gold recomputed from the sent lines matches the ledger to the paisa', async () => {
    const sink = new MemorySink({ preferredBatchSize: 500 });
    const sim = new Simulation({
      stream: streamOptions({ seed: 7, orders: 20_000, faults: ALL_FAULTS }),
      sink,
      speed: 'max',
    });
    const result = await sim.run();
    expect(result.status).toBe('finished');
    expect(result.ledger.complete).toBe(true);
    const lines = sink.lines();
    expectLedgerMatchesLines(result, lines);
    const gold = recomputeGold(lines, catalog);
    const f = result.ledger.faults;
    expect(f.malformed.count).toBe(gold.notJson);
    expect(f.invalid.count).toBe(gold.invalid);
    expect(f.duplicate.count).toBe(gold.duplicates);
    expect(f.oversize.count).toBe(result.ledger.messages.rejected);
    expect(f.oversize.count).toBeGreaterThan(0);
    expect(result.ledger.messages.sent + result.ledger.messages.rejected).toBe(20_000);
    // Every recorded late / very late id is a valid order that was sent.
    const sentIds = new Set(
      lines.map((l) => validateOrderText(l, catalog)).flatMap((v) => (v.ok ? [v.order.orderId] : [])),
    );
    for (const id of [...f.late.order_ids, ...f.very_late.order_ids, ...f.duplicate.order_ids])
      expect(sentIds.has(id)).toBe(true);
    expect(f.late.order_ids).toHaveLength(f.late.count);
    expect(f.very_late.order_ids).toHaveLength(f.very_late.count);
  });

  it('given different batch sizes and paces, then the sent bytes and the ledger are identical', async () => {
    const options = streamOptions({ seed: 9, duration: '2h', faults: ALL_FAULTS });
    const reference = new MemorySink({ preferredBatchSize: 1000 });
    const base = await new Simulation({ stream: options, sink: reference, speed: 'max' }).run();
    expect(reference.lines().length).toBeGreaterThan(10_000);
    for (const batchSize of [1, 7]) {
      const sink = new MemorySink({ maxInFlight: 3 });
      const r = await new Simulation({ stream: options, sink, speed: 'max', batchSize }).run();
      expect(sink.lines()).toEqual(reference.lines());
      expect(JSON.stringify(r.ledger)).toBe(JSON.stringify(base.ledger));
    }
    const clock = new VirtualClock(0);
    const paced = new MemorySink({ preferredBatchSize: 64 });
    // Speed 3600: one simulated hour per (virtual) second.
    const r = await runVirtually(
      new Simulation({ stream: options, sink: paced, speed: 3600, clock }),
      clock,
      25,
    );
    expect(paced.lines()).toEqual(reference.lines());
    expect(JSON.stringify(r.ledger)).toBe(JSON.stringify(base.ledger));
    expect(r.elapsedMs).toBeGreaterThanOrEqual(1990);
  });

  it('matches the messages the stream generates, in order', async () => {
    const options = streamOptions({ seed: 4, orders: 3000, faults: ALL_FAULTS, maxEventBytes: 1_048_576 });
    const sink = new MemorySink({ preferredBatchSize: 250, maxInFlight: 4 });
    await new Simulation({ stream: options, sink, speed: 'max' }).run();
    expect(sink.lines()).toEqual(
      collect(options)
        .filter((m) => m.kind !== 'oversize')
        .map((m) => m.text),
    );
  });
});

describe('simulation: the producer', () => {
  it('refuses messages above the size limit before any sink, and counts them', async () => {
    const sink = new MemorySink({ preferredBatchSize: 50 });
    const result = await new Simulation({
      stream: streamOptions({ seed: 2, orders: 400, faults: 'oversize=0.25', maxEventBytes: 2048 }),
      sink,
      speed: 'max',
    }).run();
    for (const m of sink.received) expect(Buffer.byteLength(m.value as string)).toBeLessThanOrEqual(2048);
    expect(result.ledger.messages.rejected).toBeGreaterThan(50);
    expect(result.ledger.faults.oversize.count).toBe(result.ledger.messages.rejected);
    expect(result.ledger.faults.oversize.order_ids).toHaveLength(result.ledger.messages.rejected);
    expect(result.snapshot.rejected).toBe(result.ledger.messages.rejected);
    expect(sink.received.length + result.ledger.messages.rejected).toBe(400);
  });

  it("counts the sink's own rejections and leaves them out of gold", async () => {
    const sink = new MemorySink({ preferredBatchSize: 100 }, { rejectAbove: 700 });
    const result = await new Simulation({
      stream: streamOptions({ seed: 2, orders: 2000 }),
      sink,
      speed: 'max',
    }).run();
    expect(result.ledger.messages.rejected).toBeGreaterThan(0);
    expect(result.ledger.faults.oversize.count).toBe(0);
    expectLedgerMatchesLines(result, sink.lines());
  });

  it('keeps at most maxInFlight sends outstanding and stops generating while the sink is slow', async () => {
    const sink = new MemorySink({ preferredBatchSize: 10, maxInFlight: 2 }, { hold: true });
    const sim = new Simulation({ stream: streamOptions({ seed: 1, orders: 200 }), sink, speed: 'max' });
    const running = sim.run();
    for (let i = 0; i < 20; i++) await turn();
    expect(sink.heldCount).toBe(2);
    expect(sim.getSnapshot().generated).toBeLessThanOrEqual(30);
    for (let i = 0; i < 200 && sink.sends < 20; i++) {
      sink.release();
      await turn();
    }
    while (sink.release() > 0) await turn();
    const result = await running;
    expect(result.status).toBe('finished');
    expect(sink.maxOutstanding).toBe(2);
    expect(sink.received).toHaveLength(200);
  });

  it('given a send that fails, then the run fails, counts the errors and keeps a partial ledger of what was acked', async () => {
    const sink = new MemorySink({ preferredBatchSize: 10 }, { failOnSend: 3 });
    const result = await new Simulation({
      stream: streamOptions({ seed: 1, orders: 200 }),
      sink,
      speed: 'max',
    }).run();
    expect(result.status).toBe('failed');
    expect(String((result.error as Error).message)).toContain('broker went away');
    expect(result.snapshot.errors).toBe(10);
    expect(result.snapshot.lastError).toContain('broker went away');
    expect(result.ledger.complete).toBe(false);
    expectLedgerMatchesLines(result, sink.lines());
    expect(sink.closed).toBe(true);
  });

  it('given an abort (Ctrl+C), then it flushes, stops, and the ledger covers exactly what was sent', async () => {
    const clock = new VirtualClock(0);
    const sink = new MemorySink({ preferredBatchSize: 20 });
    const controller = new AbortController();
    const sim = new Simulation({ stream: streamOptions({ seed: 3 }), sink, speed: 60, clock });
    const running = sim.run(controller.signal);
    for (let i = 0; i < 30; i++) await clock.advance(1000);
    controller.abort();
    const result = await running;
    expect(result.status).toBe('stopped');
    expect(result.ledger.complete).toBe(false);
    expect(sink.received.length).toBeGreaterThan(50);
    expectLedgerMatchesLines(result, sink.lines());
  });

  it('paces sends on the simulated clock: nothing goes out before its time, and partial batches linger briefly', async () => {
    const clock = new VirtualClock(0);
    const sink = new MemorySink({ preferredBatchSize: 10_000 });
    const options = streamOptions({ seed: 3, duration: '1h' });
    const all = collect(options);
    const sim = new Simulation({ stream: options, sink, speed: 60, clock, lingerMs: 20 });
    const running = sim.run();
    for (const realMs of [5_000, 20_000, 45_000]) {
      await clock.advance(realMs - clock.now());
      // Caught up once the producer sleeps until its next due message (or linger) again.
      await clock.untilSleeping();
      const simNow = START + clock.now() * 60;
      const sent = sink.received.length;
      // Everything due more than one linger ago has been sent; nothing due in the future has.
      expect(sent).toBeLessThanOrEqual(all.filter((m) => m.emitMs <= simNow).length);
      expect(sent).toBeGreaterThanOrEqual(all.filter((m) => m.emitMs <= simNow - 20 * 60).length);
      const snap = sim.getSnapshot();
      expect(snap.targetRate).toBeGreaterThan(0);
      expect(Math.abs(snap.simulatedNowMs - simNow)).toBeLessThanOrEqual(60 * 100);
    }
    await clock.advance(60_000);
    const result = await running;
    expect(result.status).toBe('finished');
    expect(sink.received).toHaveLength(all.length);
  });

  it('publishes snapshots to subscribers, stable between publishes, with ack latency percentiles', async () => {
    const sink = new MemorySink({ preferredBatchSize: 100 }, { latencyMs: 3 });
    const sim = new Simulation({ stream: streamOptions({ seed: 1, orders: 1000 }), sink, speed: 'max' });
    let calls = 0;
    const unsubscribe = sim.subscribe(() => calls++);
    expect(sim.getSnapshot()).toBe(sim.getSnapshot());
    expect(sim.getSnapshot().status).toBe('starting');
    const result = await sim.run();
    unsubscribe();
    expect(calls).toBeGreaterThanOrEqual(2);
    const s = sim.getSnapshot();
    expect(s).toBe(result.snapshot);
    expect(s.status).toBe('finished');
    expect(s.acked).toBe(1000);
    expect(s.generated).toBe(1000);
    expect(s.orders).toBe(1000);
    expect(s.targetRate).toBeNull();
    expect(s.ackLatencyMs).toEqual({ p50: 3, p99: 3, max: 3 });
    expect(s.sink).toBe('memory');
    expect(sink.opened && sink.closed).toBe(true);
  });
});
