import { describe, expect, it } from 'vitest';
import type { LagProbe, PartitionPosition } from '../../../src/backends/types.js';
import { drain, drainLine } from '../../../src/chain/running-chain.js';
import type { PipelineEngine } from '../../../src/chain/pipeline-engine.js';
import { VirtualClock } from '../../../src/domain/clock.js';

/** An engine that only reports committed offsets (all `drain` reads). */
function engineAt(committed: () => Record<string, number>, status = 'running'): PipelineEngine {
  return { getSnapshot: () => ({ committedOffsets: committed(), status }) } as unknown as PipelineEngine;
}

function probeAt(latest: Record<string, number>): LagProbe {
  return {
    kind: 'test',
    description: 'test',
    positions: async (): Promise<PartitionPosition[]> =>
      Object.entries(latest).map(([p, l]) => ({ partition: Number(p), earliest: 0, latest: l })),
    close: async () => undefined,
  } as LagProbe;
}

describe('drain after the load generator stops (issue 10 item 11)', () => {
  it('waits for a slow engine as long as it makes progress, past the idle bound, and reports it caught up', async () => {
    // Given 3,300 records sent and an engine that processes 100 every 5 s of (virtual) time
    const clock = new VirtualClock(0);
    let done = 0;
    const engine = engineAt(() => ({ 0: Math.min(3_300, Math.floor(clock.now() / 5_000) * 100) }));
    const result = drain(engine, probeAt({ 0: 3_300 }), clock, 10_000, 1_000_000);
    let report: Awaited<typeof result> | undefined;
    void result.then((r) => (report = r));
    // When time passes far beyond the 10 s idle bound (the engine never stalls for 10 s)
    while (!report) {
      await clock.untilSleeping();
      await clock.advance(1_000);
      done++;
    }
    // Then the drain waited until everything was processed
    expect(report).toMatchObject({ caughtUp: true, behind: 0 });
    expect(report.waitedMs).toBeGreaterThanOrEqual(165_000);
    expect(drainLine(report)).toMatch(/^drained: the pipeline processed everything/);
    expect(done).toBeGreaterThan(10);
  });

  it('gives up when the engine stops advancing for the idle bound, and says how much is left', async () => {
    const clock = new VirtualClock(0);
    const engine = engineAt(() => ({ 0: 3_089 }));
    const result = drain(engine, probeAt({ 0: 3_300 }), clock, 10_000);
    let report: Awaited<typeof result> | undefined;
    void result.then((r) => (report = r));
    while (!report) {
      await clock.untilSleeping();
      await clock.advance(1_000);
    }
    expect(report).toMatchObject({ caughtUp: false, behind: 211 });
    expect(drainLine(report)).toBe(
      'drain gave up after 10.0 s without progress: 211 records were sent but not processed',
    );
  });
});

describe('drain when the source goes away (the broker died with the Ctrl+C)', () => {
  it('gives up after the idle bound with the last known backlog and the reason, instead of throwing', async () => {
    // Given a probe that answered once and then cannot reach its broker
    const clock = new VirtualClock(0);
    let calls = 0;
    const probe = {
      kind: 'test',
      description: 'test',
      positions: async (): Promise<PartitionPosition[]> => {
        if (calls++ > 0) throw new Error('cannot reach Kafka while listing partition offsets\n  cause: x');
        return [{ partition: 0, earliest: 0, latest: 500 }];
      },
      close: async () => undefined,
    } as LagProbe;
    const result = drain(
      engineAt(() => ({ 0: 400 })),
      probe,
      clock,
      10_000,
    );
    let report: Awaited<typeof result> | undefined;
    let failure: unknown;
    result.then(
      (r) => (report = r),
      (e: unknown) => (failure = e),
    );
    while (!report && failure === undefined) {
      await clock.untilSleeping();
      await clock.advance(1_000);
    }
    // Then it reports what it knew and why it could not know more
    expect(failure).toBeUndefined();
    expect(report).toMatchObject({ caughtUp: false, behind: 100 });
    expect(drainLine(report!)).toBe(
      'drain gave up after 10.0 s without progress: 100 records were sent but not processed ' +
        '(the source could not be read: cannot reach Kafka while listing partition offsets)',
    );
  });
});
