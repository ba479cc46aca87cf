import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/domain/clock.js';
import { MonitorModel, stepRefresh } from '../../../src/monitor/monitor-model.js';
import { StatusUnreachableError } from '../../../src/monitor/status-client.js';
import { GOLD } from '../tui/fixtures.js';
import { engineSnapshot, FakeFeed, streamReading } from './fake-feed.js';

const T0 = Date.UTC(2026, 0, 1, 3, 0);
let model: MonitorModel | undefined;

afterEach(async () => {
  await model?.stop();
  model = undefined;
});

function setup(refreshMs = 1000) {
  const clock = new VirtualClock(T0);
  const feed = new FakeFeed(
    streamReading(T0, [
      { partition: 0, latest: 100, committed: 100, oldestUnprocessedMs: undefined },
      { partition: 1, latest: 80, committed: 50, oldestUnprocessedMs: T0 - 2500 },
    ]),
    GOLD,
  );
  model = new MonitorModel({ feed, mode: 'demo', clock, refreshMs, verdictWindow: 3, stopAfterMs: 5000 });
  return { clock, feed, model };
}

describe('MonitorModel', () => {
  it('derives per-partition lag in offsets and seconds from fresh latest offsets', async () => {
    const { model } = setup();
    await model.refresh();
    const s = model.getSnapshot();
    expect(s.stream?.partitions.map((p) => [p.partition, p.lag, p.lagSeconds])).toEqual([
      [0, 0, 0],
      [1, 30, 2.5],
    ]);
    expect(s.stream?.totalLag).toBe(30);
    expect(s.gold?.totals.revenue).toBe(GOLD.totals.revenue);
    expect(s.readings).toBe(1);
    expect(s.updatedAtMs).toBe(T0);
  });

  it('takes rates, batch duration, state rows, drops and the watermark gap from engine progress', async () => {
    const { model } = setup();
    await model.refresh();
    const stream = model.getSnapshot().stream!;
    expect(stream.lastBatchId).toBe(3);
    expect(stream.batchDurationMs).toBe(43);
    expect(stream.inputRateHistory).toEqual([101, 102, 103]);
    expect(stream.processedRate).toBe(5003);
    expect(stream.stateRows).toBe(65 + 59);
    expect(stream.droppedByWatermark).toBe(1);
    expect(stream.quarantined).toBe(2);
    // Without a simulator the clock is the newest event time (03:00) and the watermark is 02:50.
    expect(model.getSnapshot().clockKind).toBe('event-time');
    expect(stream.watermarkGapMs).toBe(10 * 60_000);
  });

  it('reads again every refresh interval and ticks "now" while paused without reading', async () => {
    const { clock, feed, model } = setup(1000);
    model.start();
    await tick();
    expect(feed.streamReads).toBe(1);
    await clock.advance(1000);
    await tick();
    expect(feed.streamReads).toBe(2);

    // When paused, no readings happen but the snapshot's clock moves on
    model.setPaused(true);
    await tick();
    const before = feed.streamReads;
    await clock.advance(3000);
    await tick();
    expect(feed.streamReads).toBe(before);
    expect(model.getSnapshot().paused).toBe(true);
    expect(model.getSnapshot().nowMs).toBe(T0 + 4000);

    // And resuming reads at once
    model.setPaused(false);
    await tick();
    await tick();
    expect(feed.streamReads).toBe(before + 1);
  });

  it('follows a changed refresh interval', async () => {
    const { clock, feed, model } = setup(1000);
    model.start();
    await tick();
    model.setRefreshMs(5000);
    await tick();
    const reads = feed.streamReads;
    await clock.advance(3000);
    await tick();
    expect(feed.streamReads).toBe(reads);
    await clock.advance(2000);
    await tick();
    expect(feed.streamReads).toBe(reads + 1);
    expect(stepRefresh(1000, -1)).toBe(500);
    expect(stepRefresh(1000, 1)).toBe(2000);
    expect(stepRefresh(250, -1)).toBe(250);
    expect(stepRefresh(10_000, 1)).toBe(10_000);
  });

  it('applies a branch filter to the gold reading at once', async () => {
    const { feed, model } = setup();
    await model.refresh();
    model.setBranch('Thamel');
    expect(model.getSnapshot().branch).toBe('Thamel');
    await tick();
    await tick();
    expect(feed.goldReads.at(-1)).toBe('Thamel');
    expect(model.getSnapshot().gold?.branch).toBe('Thamel');
  });

  it('keeps the last data and reports the error when a reading fails', async () => {
    const { feed, model } = setup();
    await model.refresh();
    feed.failNext = new Error('connection refused');
    await model.refresh();
    const s = model.getSnapshot();
    expect(s.error).toContain('connection refused');
    expect(s.stream?.totalLag).toBe(30);
    expect(s.readings).toBe(1);
  });

  it('turns STOP when the engine stays silent with lag, and STALL when it runs but one offset is stuck', async () => {
    const { clock, feed, model } = setup();
    // Given three readings 1s apart where partition 1 never moves, the engine reporting each second
    for (let i = 0; i < 3; i++) {
      const now = clock.now();
      feed.stream = streamReading(
        now,
        [
          { partition: 0, latest: 100 + i, committed: 100 + i, oldestUnprocessedMs: undefined },
          { partition: 1, latest: 80 + i, committed: 50, oldestUnprocessedMs: now - 1000 },
        ],
        engineSnapshot({ lastEventAtMs: now }),
      );
      await model.refresh();
      await clock.advance(1000);
    }
    expect(model.getSnapshot().stream?.verdict).toBe('STALL');
    expect(model.getSnapshot().stream?.reason).toBe('partition 1: offset stuck at 50 with lag 32');

    // When the engine then goes silent while the monitor keeps reading every second, for longer than both
    // the window (3 readings) and the floor (5s)
    const lastEvent = clock.now() - 1000;
    for (let i = 0; i < 7; i++) {
      await clock.advance(1000);
      feed.stream = streamReading(
        clock.now(),
        [{ partition: 1, latest: 90 + i, committed: 50, oldestUnprocessedMs: 0 }],
        engineSnapshot({ lastEventAtMs: lastEvent }),
      );
      await model.refresh();
      if (i === 2) expect(model.getSnapshot().stream?.verdict).toBe('STALL');
    }
    expect(model.getSnapshot().stream?.verdict).toBe('STOP');
  });

  it('calls no STALL while the engine is still starting (it has read nothing yet), and STOP after stopAfter', async () => {
    const { clock, feed, model } = setup();
    // Given an engine starting (a Spark session coming up) while orders arrive, reporting each second
    const started = clock.now();
    for (let i = 0; i < 4; i++) {
      feed.stream = streamReading(
        clock.now(),
        [{ partition: 0, latest: 10 + i, committed: 0, oldestUnprocessedMs: started }],
        engineSnapshot({ status: 'starting', lastEventAtMs: clock.now() }),
      );
      await model.refresh();
      await clock.advance(1000);
    }
    // Then the unmoved offset over a full window is no STALL yet
    expect(model.getSnapshot().stream?.verdict).toBe('OK');
    // But once it is running and still stuck, it is
    feed.stream = streamReading(
      clock.now(),
      [{ partition: 0, latest: 20, committed: 0, oldestUnprocessedMs: started }],
      engineSnapshot({ status: 'running', lastEventAtMs: clock.now() }),
    );
    await model.refresh();
    expect(model.getSnapshot().stream?.verdict).toBe('STALL');
  });

  it('calls a failed engine STOP whatever the lag', async () => {
    const { feed, model } = setup();
    feed.stream = streamReading(
      T0,
      [{ partition: 0, latest: 10, committed: 10, oldestUnprocessedMs: undefined }],
      engineSnapshot({ status: 'failed', error: 'disk full', lastEventAtMs: T0 }),
    );
    await model.refresh();
    expect(model.getSnapshot().stream?.verdict).toBe('STOP');
    expect(model.getSnapshot().stream?.reason).toBe('engine failed: disk full');
  });

  it('turns DOWN at once when the pipeline cannot be reached, with the age of the last good reading, and recovers', async () => {
    const { clock, feed, model } = setup();
    await model.refresh();
    expect(model.getSnapshot().liveness).toBe('live');
    // When the next reading finds nobody listening
    await clock.advance(1000);
    feed.failNext = new StatusUnreachableError('cannot reach the status endpoint: ECONNREFUSED');
    await model.refresh();
    const down = model.getSnapshot();
    expect(down.liveness).toBe('down');
    expect(down.stream?.verdict).toBe('DOWN');
    expect(down.stream?.reason).toMatch(/^pipeline unreachable: last good reading 1\.0s ago/);
    // Then a good reading brings the derived verdict back by itself
    feed.stream = streamReading(clock.now(), [
      { partition: 0, latest: 100, committed: 100, oldestUnprocessedMs: undefined },
    ]);
    await model.refresh();
    expect(model.getSnapshot().liveness).toBe('live');
    expect(model.getSnapshot().stream?.verdict).toBe('OK');
  });

  it('turns STALE within two refreshes when readings stop coming back (a stopped process), ages counting', async () => {
    const clock = new VirtualClock(T0);
    const feed = new FakeFeed(
      streamReading(T0, [{ partition: 0, latest: 100, committed: 100, oldestUnprocessedMs: undefined }]),
      GOLD,
    );
    model = new MonitorModel({ feed, mode: 'monitor', clock, refreshMs: 1000, verdictWindow: 3 });
    model.start();
    await tick();
    await tick();
    expect(model.getSnapshot().stream?.verdict).toBe('OK');
    // When every further reading hangs
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    feed.readStream = async () => {
      await hang;
      return feed.stream;
    };
    try {
      // Then 2.5s (two refreshes + 500ms) after the last good reading the badge is no longer OK
      for (let i = 0; i < 10; i++) {
        await clock.advance(250);
        await tick();
      }
      expect(model.getSnapshot().liveness).toBe('live');
      await clock.advance(250);
      await tick();
      const stale = model.getSnapshot();
      expect(stale.liveness).toBe('stale');
      expect(stale.stream?.verdict).toBe('STALE');
      expect(stale.stream?.reason).toBe('no fresh reading: last good reading 2.8s ago');
      // The engine's "progress … ago" keeps counting instead of freezing
      expect(stale.stream?.sinceProgressMs).toBe(2750);
    } finally {
      release();
    }
  });

  it('takes a final reading that starts after the call, not one already in flight', async () => {
    const { feed, model } = setup();
    // Given a reading in flight that saw the engine running
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const running = { ...feed.stream, engine: engineSnapshot({ status: 'running' }) };
    feed.readStream = async () => {
      await gate;
      return running;
    };
    const inFlight = model.refresh();
    // When the engine stops meanwhile and the caller asks for the final reading
    const stopped = { ...feed.stream, engine: engineSnapshot({ status: 'stopped' }) };
    const final = model.refreshAfterNow();
    feed.readStream = async () => stopped;
    release();
    await inFlight;
    await final;
    // Then the snapshot shows the engine as it is now
    expect(model.getSnapshot().stream?.engineStatus).toBe('stopped');
  });

  it('raises WARN from an absolute backlog threshold even while lag falls', async () => {
    const { clock, feed, model } = setup();
    // Given a backlog that falls every reading but stays above 10,000 records
    for (let i = 0; i < 4; i++) {
      feed.stream = streamReading(clock.now(), [
        { partition: 0, latest: 60_000, committed: 40_000 + i * 1000, oldestUnprocessedMs: undefined },
      ]);
      await model.refresh();
      await clock.advance(1000);
    }
    const s = model.getSnapshot().stream!;
    expect(s.partitions[0]!.verdict).toBe('OK');
    expect(s.verdict).toBe('WARN');
    expect(s.reason).toBe('backlog 17,000 records ≥ 10,000 records');
    // And ERR past the error level of the lag age
    feed.stream = streamReading(clock.now(), [
      { partition: 0, latest: 60_000, committed: 59_000, oldestUnprocessedMs: clock.now() - 200_000 },
    ]);
    await model.refresh();
    expect(model.getSnapshot().stream?.verdict).toBe('ERR');
    expect(model.getSnapshot().stream?.reason).toBe('lag 3m20s ≥ 2m00s');
  });
});
