import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BusSource, dropBus, getBus } from '../../../src/backends/bus/index.js';
import { DuckDBLakehouse } from '../../../src/backends/duckdb/duckdb-lakehouse.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { NEPAL_HOURLY_WINDOW } from '../../../src/domain/time.js';
import { StreamingQuery } from '../../../src/pipeline/engine.js';
import type { EngineEvent } from '../../../src/pipeline/progress-types.js';
import { catalog, orderJson } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'brewline-trigger-'));
afterEach(() => {
  dropBus('trigger-test');
  rmSync(dir, { recursive: true, force: true });
});

/**
 * Waits for DuckDB's real I/O (not for time: the trigger runs on the virtual clock). Bounded by a deadline far
 * above any healthy wait, not by a number of turns (a loaded machine makes each turn slower).
 */
async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  if (!condition()) throw new Error(`condition not reached within ${timeoutMs} ms`);
}

describe('fixed-interval trigger', () => {
  it('runs a batch per interval when data arrives, reports idle otherwise, and stops cleanly', async () => {
    // Given a query with a 1 s trigger on virtual time
    const bus = getBus('trigger-test', { partitions: 1 });
    const clock = new VirtualClock(Date.UTC(2026, 10, 26, 3));
    const lakehouse = new DuckDBLakehouse({ path: ':memory:', threads: 1 });
    const query = new StreamingQuery({
      source: new BusSource({ name: 'trigger-test' }),
      lakehouse,
      checkpointDir: join(dir, 'cp'),
      catalog,
      trigger: { kind: 'interval', intervalMs: 1000 },
      window: NEPAL_HOURLY_WINDOW,
      clock,
    });
    const events: EngineEvent[] = [];
    query.subscribe((e) => events.push(e));
    const done = query.run();
    // When there is no data, the first trigger is idle
    await until(() => events.some((e) => e.type === 'idle'));
    expect(query.getSnapshot().status).toBe('idle');
    // And data that arrives is picked up by the next trigger, not before
    bus.append('k', orderJson('a', '2026-11-26T02:20:00.000Z'), 0);
    await clock.advance(999);
    expect(events.filter((e) => e.type === 'progress')).toHaveLength(0);
    await clock.advance(1);
    await until(() => events.some((e) => e.type === 'progress'));
    const progress = query.getSnapshot().lastProgress;
    expect(progress).toMatchObject({ batchId: 0, numInputRows: 1, timestamp: '2026-11-26T03:00:01.000Z' });
    // Then stop() ends the run without another batch
    query.stop();
    await done;
    expect(events.at(-1)).toMatchObject({ type: 'terminated' });
    expect(events.at(-1)).not.toHaveProperty('error');
    expect(query.getSnapshot().status).toBe('stopped');
    await lakehouse.close();
  });
});
