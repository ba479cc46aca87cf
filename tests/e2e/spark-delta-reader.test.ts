import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeltaLakehouseReader } from '../../src/backends/delta/delta-lakehouse-reader.js';
import { openLakehouseReader } from '../../src/backends/lakehouse-readers.js';
import { REPO, runCli } from '../helpers/cli.js';
import { sparkPython } from '../helpers/spark-env.js';

/**
 * The Delta reader against tables written by real pyspark + delta-spark (tests/helpers/write-delta-tables.py):
 * MERGE upserts across a Parquet checkpoint, an overwrite (remove actions), a partitioned table, an empty
 * table, and the two features it must refuse (column mapping, deletion vectors).
 */
let root: string;
let lake: string;
let bad: string;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'brewline-delta-'));
  lake = join(root, 'lake');
  bad = join(root, 'bad');
  const { python, jars } = sparkPython();
  const run = spawnSync(
    python,
    [join(REPO, 'tests', 'helpers', 'write-delta-tables.py'), lake, bad, jars.join(',')],
    { encoding: 'utf8', timeout: 10 * 60_000 },
  );
  if (run.status !== 0) throw new Error(`pyspark failed:\n${run.stderr.split('\n').slice(-20).join('\n')}`);
}, 11 * 60_000);

afterAll(() => {
  if (root) rmSync(root, { recursive: true, force: true });
});

describe('the Delta lakehouse reader on tables real Spark wrote', () => {
  it('replays the checkpoint and the commits after it: each window as the last MERGE left it', async () => {
    expect(readdirSync(join(lake, 'gold', 'hourly_sales', '_delta_log'))).toContain(
      '00000000000000000004.checkpoint.parquet',
    );
    const reader = await openLakehouseReader(lake);
    try {
      expect(reader.kind).toBe('delta');
      const r = await reader.query(
        'SELECT window_start, window_end, revenue, orders, items, avg_order_value FROM gold.hourly_sales ORDER BY window_start',
      );
      // Commit i upserts window i % 5: window 0 last came from commit 5, windows 1-4 from commits 1-4.
      expect(r.rows).toEqual([
        ['2026-11-20T00:15:00.000Z', '2026-11-20T01:15:00.000Z', '105.25', 6, 11, '10.50'],
        ['2026-11-20T01:15:00.000Z', '2026-11-20T02:15:00.000Z', '101.25', 2, 3, '10.50'],
        ['2026-11-20T02:15:00.000Z', '2026-11-20T03:15:00.000Z', '102.25', 3, 5, '10.50'],
        ['2026-11-20T03:15:00.000Z', '2026-11-20T04:15:00.000Z', '103.25', 4, 7, '10.50'],
        ['2026-11-20T04:15:00.000Z', '2026-11-20T05:15:00.000Z', '104.25', 5, 9, '10.50'],
      ]);
    } finally {
      await reader.close();
    }
  });

  it('drops overwritten files, keeps declared types, reads partition values from the log and empty tables', async () => {
    const reader = new DeltaLakehouseReader({ dir: lake });
    try {
      const items = await reader.query(
        'SELECT order_id, line_amount, event_time FROM silver.order_items ORDER BY order_id',
      );
      expect(items.rows.map((r) => r[0])).toEqual(['b-0', 'b-1', 'b-2', 'b-3', 'c-0', 'c-1']);
      expect(items.rows[1]).toEqual(['b-1', '1.05', '2026-11-20T01:15:00.000Z']);
      const types = await reader.query(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = 'memory' AND table_schema = 'silver' AND table_name = 'order_items' ORDER BY ordinal_position",
      );
      expect(types.rows.map((r) => String(r[1]))).toEqual([
        'VARCHAR',
        'VARCHAR',
        'INTEGER',
        'DECIMAL(12,2)',
        'TIMESTAMP',
        'BLOB',
      ]);
      const byBranch = await reader.query(
        'SELECT branch, count(*) FROM silver.by_branch GROUP BY branch ORDER BY branch',
      );
      expect(byBranch.rows).toEqual([
        ['Patan', 3],
        ['Thamel', 2],
      ]);
      expect((await reader.query('SELECT count(*) FROM ops.empty')).rows).toEqual([[0]]);
      // A table of the layout Spark has not written yet reads as empty, with the embedded lakehouse's columns.
      const missing = await reader.query('SELECT * FROM gold.branch_revenue');
      expect(missing.rows).toEqual([]);
      expect(missing.columns).toEqual(['window_start', 'window_end', 'branch', 'revenue', 'orders', 'items']);
    } finally {
      await reader.close();
    }
  });

  it('follows new commits between queries', async () => {
    const reader = new DeltaLakehouseReader({ dir: lake });
    const table = join(lake, 'silver', 'order_items');
    try {
      expect((await reader.query('SELECT count(*) FROM silver.order_items')).rows).toEqual([[6]]);
      const victim = (
        await reader.query(
          "SELECT DISTINCT filename FROM read_parquet('" +
            table +
            "/*.parquet', filename = true) WHERE order_id = 'c-0'",
        )
      ).rows[0]![0] as string;
      const log = join(table, '_delta_log');
      const next =
        Math.max(
          ...readdirSync(log)
            .filter((n) => /^\d{20}\.json$/.test(n))
            .map((n) => Number(n.slice(0, 20))),
        ) + 1;
      writeFileSync(
        join(log, `${String(next).padStart(20, '0')}.json`),
        `${JSON.stringify({ remove: { path: victim.slice(table.length + 1), deletionTimestamp: 1, dataChange: true } })}\n`,
      );
      expect((await reader.query('SELECT count(*) FROM silver.order_items')).rows).toEqual([[4]]);
    } finally {
      await reader.close();
    }
  });

  it('refuses deletion vectors and column mapping with a clear error', async () => {
    await expect(openLakehouseReader(join(bad, 'dv'))).rejects.toThrow(
      /deletion_vectors has rows deleted with deletion vectors, which brewline cannot apply/,
    );
    await expect(openLakehouseReader(join(bad, 'cm'))).rejects.toThrow(
      /column_mapping uses column mapping \(mode name\), which brewline cannot read/,
    );
  });

  it('serves `brewline query` on the folder like a DuckDB file', () => {
    const run = runCli(
      ['query', '--lakehouse', lake, '--json', 'SELECT sum(orders) AS orders FROM gold.hourly_sales'],
      {
        cwd: root,
      },
    );
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toEqual({ orders: 20 });
  });
});
