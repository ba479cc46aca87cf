import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PipelineEngine } from '../../../src/chain/pipeline-engine.js';
import { AvailableNowProgress, progressLine, reportProgress } from '../../../src/chain/progress-report.js';
import type { BatchProgress, EngineEvent } from '../../../src/pipeline/progress-types.js';

function batch(
  id: number,
  start: Record<string, number>,
  end: Record<string, number>,
  latest: Record<string, number>,
): BatchProgress {
  return {
    queryName: 'q',
    queryId: 'id',
    runId: 'run',
    batchId: id,
    timestamp: '2026-01-01T00:00:00.000Z',
    numInputRows: 10,
    inputRowsPerSecond: null,
    processedRowsPerSecond: 100,
    durationMs: { triggerExecution: 5 },
    eventTime: { watermark: '1970-01-01T00:00:00.000Z' },
    stateOperators: [],
    sources: [
      {
        description: 'src',
        startOffset: start,
        endOffset: end,
        latestOffset: latest,
        numInputRows: 10,
        inputRowsPerSecond: null,
        processedRowsPerSecond: null,
      },
    ],
    sink: { description: 'sink', numOutputRows: 0 },
    silver: { rows: 10, orders: 5, duplicates: 0, quarantined: 0 },
  };
}

function fakeEngine(): { engine: PipelineEngine; emit: (e: EngineEvent) => void } {
  const listeners = new Set<(e: EngineEvent) => void>();
  const engine = {
    description: 'DuckDB lakehouse x',
    subscribe: (l: (e: EngineEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    getSnapshot: () => ({ watermarkMs: 0 }),
  } as unknown as PipelineEngine;
  return { engine, emit: (e) => listeners.forEach((l) => l(e)) };
}

function fakeStream(isTTY: boolean, columns = 60): { stream: NodeJS.WriteStream; out: string[] } {
  const out: string[] = [];
  const stream = { isTTY, columns, write: (s: string) => out.push(s) } as unknown as NodeJS.WriteStream;
  return { stream, out };
}

const started: EngineEvent = { type: 'started', queryName: 'q', queryId: 'id', runId: 'r', timestamp: 't' };

afterEach(() => {
  vi.useRealTimers();
});

describe('available-now progress (issue 13 item 3)', () => {
  it('targets the latest offsets of the first batch and counts the processed offsets', () => {
    // Given a plan of 1,000 offsets over two partitions, from 100 and 0
    const p = new AvailableNowProgress('records');
    expect(p.state().total).toBeUndefined();
    p.add(batch(0, { 0: 100, 1: 0 }, { 0: 300, 1: 100 }, { 0: 700, 1: 400 }));
    // Then 300 of 1,000 are done
    expect(p.state()).toMatchObject({ done: 300, total: 1_000, unit: 'records' });
    // When later batches see newer data arrive, the target stays the plan
    p.add(batch(1, { 0: 300, 1: 100 }, { 0: 700, 1: 400 }, { 0: 900, 1: 500 }));
    expect(p.state()).toMatchObject({ done: 1_000, total: 1_000 });
  });

  it('on a terminal rewrites one bar line in place instead of the batch lines, never wider than the terminal', () => {
    vi.useFakeTimers();
    let now = 0;
    const { engine, emit } = fakeEngine();
    const { stream, out } = fakeStream(true, 60);
    const lines: string[] = [];
    const stop = reportProgress(engine, 'file:x', (l) => lines.push(l), {
      availableNow: true,
      offsetUnit: 'bytes',
      stream,
      now: () => now,
    });
    emit(started);
    emit({ type: 'progress', progress: batch(0, { 0: 0 }, { 0: 250 }, { 0: 1_000 }) });
    now = 1_000;
    vi.advanceTimersByTime(250);
    now = 2_000;
    emit({ type: 'progress', progress: batch(1, { 0: 250 }, { 0: 500 }, { 0: 1_000 }) });
    vi.advanceTimersByTime(250);
    // Then no batch lines, only the start line, and the bar is rewritten in place with %, rate and ETA
    expect(lines).toHaveLength(1);
    const last = out.at(-1)!;
    expect(last.startsWith('\r')).toBe(true);
    expect(last).toContain('50.0%');
    expect(last).toMatch(/ETA/);
    // A file source's offsets are bytes, and the bar says so
    expect(last).toContain(' bytes');
    expect(last).not.toContain('offsets');
    expect(last).not.toContain('\n');
    const text = last.replace('\r', '').replace('\x1b[K', '');
    expect(text.length).toBeLessThan(60);
    // When it stops, the line is erased
    stop();
    expect(out.at(-1)).toBe('\r\x1b[K');
  });

  it('elsewhere keeps the batch lines exactly and adds a plain progress line now and then', () => {
    vi.useFakeTimers();
    const { engine, emit } = fakeEngine();
    const { stream, out } = fakeStream(false);
    const lines: string[] = [];
    const stop = reportProgress(engine, 'file:x', (l) => lines.push(l), {
      availableNow: true,
      stream,
      plainIntervalMs: 1_000,
    });
    emit(started);
    const b = batch(0, { 0: 0 }, { 0: 250 }, { 0: 1_000 });
    emit({ type: 'progress', progress: b });
    vi.advanceTimersByTime(1_000);
    expect(lines).toEqual([expect.stringMatching(/^pipeline q/), progressLine(b)]);
    expect(out).toEqual([expect.stringMatching(/25\.0%.*250\/1,000 offsets.*\n$/)]);
    stop();
  });

  it('without --available-now prints only the lines it always printed', () => {
    vi.useFakeTimers();
    const { engine, emit } = fakeEngine();
    const { stream, out } = fakeStream(true);
    const lines: string[] = [];
    reportProgress(engine, 'file:x', (l) => lines.push(l), { stream });
    emit(started);
    emit({ type: 'progress', progress: batch(0, { 0: 0 }, { 0: 250 }, { 0: 1_000 }) });
    vi.advanceTimersByTime(10_000);
    expect(lines).toHaveLength(2);
    expect(out).toEqual([]);
  });
});
