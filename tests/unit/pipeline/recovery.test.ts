import { copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDBLakehouse } from '../../../src/backends/duckdb/duckdb-lakehouse.js';
import { DataIntegrityError } from '../../../src/errors.js';
import type { BatchWrite } from '../../../src/pipeline/lakehouse-types.js';
import { harness, orderJson, type Harness } from './harness.js';

let h: Harness;
afterEach(() => h.cleanup());

const orders = (from: number, n: number): string[] =>
  Array.from({ length: n }, (_, i) =>
    orderJson(`o${from + i}`, new Date(Date.UTC(2026, 10, 26, 2, 20) + (from + i) * 60_000).toISOString()),
  );

const GOLD = 'SELECT window_start, revenue, orders, items FROM gold.hourly_sales ORDER BY 1';

/** A lakehouse that fails while committing one batch, as a crash inside the transaction would. */
class FailingLakehouse extends DuckDBLakehouse {
  constructor(
    path: string,
    private readonly failBatch: number,
  ) {
    super({ path, threads: 1 });
  }
  override async commitBatch(write: BatchWrite, whileCommitting?: () => Promise<void>): Promise<void> {
    if (write.marker.batchId === this.failBatch) throw new Error('disk on fire');
    return super.commitBatch(write, whileCommitting);
  }
}

describe('checkpoint and restart', () => {
  it('resumes exactly where the last run stopped', async () => {
    h = harness();
    h.send(orders(0, 3));
    const first = await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    h.send(orders(3, 2));
    const second = await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    expect(first.progress.map((p) => p.batchId)).toEqual([0, 1]);
    expect(
      second.progress.map((p) => [p.batchId, p.sources[0]?.startOffset, p.sources[0]?.endOffset]),
    ).toEqual([[2, { 0: 3 }, { 0: 5 }]]);
    expect(second.query.getSnapshot().totals.batches).toBe(3);
    expect(await h.rows('SELECT count(*) FROM bronze.orders_raw')).toEqual([[5]]);
    expect(readFileSync(join(h.checkpointDir, 'commits', '2'), 'utf8')).toMatch(/^v1\n/);
  });

  it('starts a new query at the latest offsets when asked, and keeps that start across a restart', async () => {
    // Given a source that already holds 3 orders when a new query starts with startingOffsets=latest
    h = harness();
    h.send(orders(0, 3));
    const first = await h.runAvailableNow({ startingOffsets: 'latest' });
    expect(first.progress).toEqual([]);
    // When 2 more arrive and the query restarts (the setting only matters for a new checkpoint)
    h.send(orders(3, 2));
    const second = await h.runAvailableNow({ startingOffsets: 'earliest' });
    // Then it reads only what arrived after its start
    expect(second.progress.map((p) => [p.sources[0]?.startOffset, p.sources[0]?.endOffset])).toEqual([
      [{ 0: 3 }, { 0: 5 }],
    ]);
    expect(await h.rows('SELECT order_id FROM silver.order_items ORDER BY 1')).toEqual([['o3'], ['o4']]);
  });

  it('re-runs a batch that failed before its commit with exactly the same offsets, never twice', async () => {
    h = harness();
    h.send(orders(0, 5));
    await expect(
      h.runAvailableNow({ maxRecordsPerBatch: 2, lakehouse: (p) => new FailingLakehouse(p, 1) }),
    ).rejects.toThrow('disk on fire');
    const logged = readFileSync(join(h.checkpointDir, 'offsets', '1'), 'utf8');
    expect(existsSync(join(h.checkpointDir, 'commits', '1'))).toBe(false);
    h.send(orders(5, 10)); // more data arrives meanwhile: batch 1 must not grow
    const { progress } = await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    expect(progress[0]).toMatchObject({
      batchId: 1,
      sources: [{ startOffset: { 0: 2 }, endOffset: { 0: 4 } }],
    });
    expect(readFileSync(join(h.checkpointDir, 'offsets', '1'), 'utf8')).toBe(logged);
    expect(await h.rows('SELECT count(*), count(DISTINCT "offset") FROM bronze.orders_raw')).toEqual([
      [15, 15],
    ]);
    expect(await h.rows('SELECT sum(orders) FROM gold.hourly_sales')).toEqual([[15]]);
  });

  it('skips a batch the lakehouse committed when commits/N was lost (lakehouse ahead)', async () => {
    h = harness();
    h.send(orders(0, 4));
    await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    const before = await h.rows(GOLD);
    rmSync(join(h.checkpointDir, 'commits', '1'));
    const { progress } = await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    expect(progress).toEqual([]);
    expect(existsSync(join(h.checkpointDir, 'commits', '1'))).toBe(true);
    expect(await h.rows(GOLD)).toEqual(before);
    expect(await h.rows('SELECT count(*) FROM bronze.orders_raw')).toEqual([[4]]);
  });

  it('re-runs the batches a lakehouse restored from an older copy lacks (lakehouse behind)', async () => {
    h = harness();
    h.send(orders(0, 2));
    await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    copyFileSync(h.lakehousePath, join(h.dir, 'backup.duckdb'));
    h.send(orders(2, 4));
    await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    const expected = await h.rows(GOLD);
    copyFileSync(join(h.dir, 'backup.duckdb'), h.lakehousePath);
    const { progress } = await h.runAvailableNow({ maxRecordsPerBatch: 2 });
    expect(progress.map((p) => p.batchId)).toEqual([1, 2]);
    expect(await h.rows(GOLD)).toEqual(expected);
    expect(await h.rows('SELECT count(*) FROM bronze.orders_raw')).toEqual([[6]]);
  });

  it('refuses a corrupt offsets file with a clear DataIntegrityError', async () => {
    h = harness();
    h.send(orders(0, 2));
    await h.runAvailableNow({ maxRecordsPerBatch: 1 });
    writeFileSync(join(h.checkpointDir, 'offsets', '1'), 'v1\n{"batchId":1,"startOff');
    rmSync(join(h.checkpointDir, 'commits', '1'));
    const failure = h.runAvailableNow();
    await expect(failure).rejects.toBeInstanceOf(DataIntegrityError);
    await expect(failure).rejects.toThrow(/offsets\/1 is corrupt/);
  });

  it('refuses a checkpoint written with a different output mode', async () => {
    h = harness();
    h.send(orders(0, 1));
    await h.runAvailableNow({ outputMode: 'complete' });
    await expect(h.runAvailableNow({ outputMode: 'update' })).rejects.toThrow(
      /outputMode "complete" \(now "update"\)/,
    );
  });

  it('refuses a fresh checkpoint on a lakehouse that already holds the query', async () => {
    h = harness();
    h.send(orders(0, 1));
    await h.runAvailableNow();
    rmSync(h.checkpointDir, { recursive: true });
    await expect(h.runAvailableNow()).rejects.toThrow(/already holds batches 0\.\.0/);
    expect(await h.rows('SELECT count(*) FROM bronze.orders_raw')).toEqual([[1]]);
  });
});
