import { appendFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DuckDBLakehouse } from '../../../src/backends/duckdb/duckdb-lakehouse.js';
import { FileSource } from '../../../src/backends/file/file-source.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { NEPAL_HOURLY_WINDOW } from '../../../src/domain/time.js';
import { DataIntegrityError } from '../../../src/errors.js';
import { describeReset, resetUncommitted } from '../../../src/commands/pipeline-reset.js';
import { Checkpoint } from '../../../src/pipeline/checkpoint.js';
import { StreamingQuery } from '../../../src/pipeline/engine.js';
import type { BatchProgress } from '../../../src/pipeline/progress-types.js';
import { catalog, orderJson } from './harness.js';

let dir: string;
let file: string;
let checkpointDir: string;
let lakehousePath: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'brewline-file-batches-'));
  file = join(dir, 'orders.ndjson');
  checkpointDir = join(dir, 'checkpoint');
  lakehousePath = join(dir, 'lakehouse.duckdb');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const orderLines = (n: number): string[] =>
  Array.from({ length: n }, (_, i) =>
    orderJson(`o${i}`, new Date(Date.UTC(2026, 10, 26, 2, 20) + i * 60_000).toISOString()),
  );

async function runAvailableNow(
  source: FileSource,
  options: { maxRecordsPerBatch?: number; maxBytesPerBatch?: number } = {},
): Promise<BatchProgress[]> {
  const lakehouse = new DuckDBLakehouse({ path: lakehousePath, threads: 1 });
  const query = new StreamingQuery({
    source,
    lakehouse,
    checkpointDir,
    catalog,
    trigger: { kind: 'availableNow' },
    window: NEPAL_HOURLY_WINDOW,
    clock: new VirtualClock(Date.UTC(2026, 10, 26, 12)),
    ...options,
  });
  const progress: BatchProgress[] = [];
  query.subscribe((e) => {
    if (e.type === 'progress') progress.push(e.progress);
  });
  try {
    await query.run();
  } finally {
    await source.close();
    await lakehouse.close();
  }
  return progress;
}

async function silverOrders(): Promise<number> {
  const lakehouse = new DuckDBLakehouse({ path: lakehousePath, threads: 1 });
  await lakehouse.open();
  try {
    const rows = (await lakehouse.query('SELECT count(DISTINCT order_id) FROM silver.order_items')).rows;
    return Number(rows[0]?.[0]);
  } finally {
    await lakehouse.close();
  }
}

describe('file batches bounded by bytes (issue 10 item 3)', () => {
  it('cuts each batch at a line end within maxBytesPerBatch and still reads everything', async () => {
    // Given 12 orders of roughly 400 bytes each
    const lines = orderLines(12);
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    const lineBytes = Buffer.byteLength(lines[0]!) + 1;
    // When batches may hold at most three lines' worth of bytes (and many records)
    const progress = await runAvailableNow(new FileSource({ path: file }), {
      maxRecordsPerBatch: 1000,
      maxBytesPerBatch: lineBytes * 3 + 5,
    });
    // Then every batch has at most 3 records, and all 12 orders land
    expect(progress.map((p) => p.numInputRows)).toEqual([3, 3, 3, 3]);
    expect(await silverOrders()).toBe(12);
  });

  it('still processes an oversized range logged before the byte bound, streaming it through a small buffer', async () => {
    // Given offsets/0 already logs the whole 40-order file as one batch (as an older run would have)
    const lines = orderLines(40);
    writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
    const size = Buffer.byteLength(lines.join('\n')) + 1;
    const cp = new Checkpoint(checkpointDir);
    cp.writeMetadata({
      id: 'q-oversized',
      queryName: 'orders',
      sourceId: `file:${file}`,
      outputMode: 'complete',
      windowDurationMs: NEPAL_HOURLY_WINDOW.durationMs,
      windowOffsetMs: NEPAL_HOURLY_WINDOW.startOffsetMs,
      watermarkDelayMs: 600_000,
      createdAt: new Date(0).toISOString(),
    });
    cp.writeOffsets({
      batchId: 0,
      batchWatermarkMs: 0,
      batchTimestampMs: 0,
      startOffset: { 0: 0 },
      endOffset: { 0: size },
    });
    // When the query restarts with a byte bound far below that range and a read buffer of 256 bytes
    const progress = await runAvailableNow(new FileSource({ path: file, readChunkBytes: 256 }), {
      maxBytesPerBatch: 1000,
    });
    // Then the logged batch runs exactly as logged, and every order lands once
    expect(progress[0]?.numInputRows).toBe(40);
    expect(progress).toHaveLength(1);
    expect(await silverOrders()).toBe(40);
  });
});

/** A file source whose planner is wrong: it answers an offset in the middle of a line. */
class MidLineSource extends FileSource {
  override async offsetAfter(): Promise<number> {
    return 5;
  }
}

describe('the engine never logs an end that is not a record boundary (issue 10 item 1)', () => {
  it('refuses the batch before offsets/0 is written', async () => {
    writeFileSync(
      file,
      orderLines(3)
        .map((l) => `${l}\n`)
        .join(''),
    );
    await expect(
      runAvailableNow(new MidLineSource({ path: file }), { maxRecordsPerBatch: 1 }),
    ).rejects.toBeInstanceOf(DataIntegrityError);
    expect(existsSync(join(checkpointDir, 'offsets', '0'))).toBe(false);
  });
});

describe('pipeline reset-uncommitted (issue 10 item 1)', () => {
  it('recovers a checkpoint whose uncommitted offsets/N ends mid-line, never touching committed batches', async () => {
    // Given a committed first batch and then a bad uncommitted offsets/1 ending in the middle of a line
    const lines = orderLines(6);
    writeFileSync(
      file,
      lines
        .slice(0, 4)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const lineBytes = Buffer.byteLength(lines[0]!) + 1;
    const first = await runAvailableNow(new FileSource({ path: file }), { maxRecordsPerBatch: 2 });
    expect(first).toHaveLength(2);
    appendFileSync(
      file,
      lines
        .slice(4)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const cp = new Checkpoint(checkpointDir);
    cp.writeOffsets({
      batchId: 2,
      batchWatermarkMs: cp.commit(1)!.nextBatchWatermarkMs,
      batchTimestampMs: 0,
      startOffset: { 0: lineBytes * 4 },
      endOffset: { 0: lineBytes * 5 + 7 },
    });
    // When the pipeline restarts it fails on every start, naming the recovery command
    await expect(runAvailableNow(new FileSource({ path: file }))).rejects.toMatchObject({
      hint: expect.stringMatching(/brewline pipeline reset-uncommitted/),
    });
    // And reset-uncommitted drops exactly the uncommitted batch
    const lakehouse = new DuckDBLakehouse({ path: lakehousePath, readOnly: true });
    await lakehouse.open();
    const marker = await lakehouse.lastMarker('orders');
    await lakehouse.close();
    const report = resetUncommitted(checkpointDir, marker);
    expect(report.removed.map((r) => r.batchId)).toEqual([2]);
    expect(describeReset(report)).toEqual([
      `removed offsets/2 (never committed; partition 0 ${lineBytes * 4}–${lineBytes * 5 + 7})`,
      'the next run plans batch 2 again from the last committed offsets',
    ]);
    expect(describeReset(resetUncommitted(checkpointDir, marker))).toEqual([
      'nothing to reset: every logged batch is committed',
    ]);
    // Then the next run plans batch 2 again and every order lands exactly once
    const after = await runAvailableNow(new FileSource({ path: file }), { maxRecordsPerBatch: 2 });
    expect(after.map((p) => [p.batchId, p.numInputRows])).toEqual([[2, 2]]);
    expect(await silverOrders()).toBe(6);
  });

  it('refuses a directory that holds no checkpoint', () => {
    expect(() => resetUncommitted(join(dir, 'nowhere'), undefined)).toThrow(/no checkpoint at/);
  });
});
