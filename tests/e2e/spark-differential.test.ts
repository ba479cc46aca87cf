import { mkdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLakehouseReader } from '../../src/backends/lakehouse-readers.js';
import { createSource } from '../../src/backends/sources.js';
import { EmbeddedEngine } from '../../src/chain/embedded-engine.js';
import { loadDefaultCatalog } from '../../src/domain/catalog.js';
import type { BatchProgress } from '../../src/pipeline/progress-types.js';
import { removeTempDir, runCli, tempDir } from '../helpers/cli.js';
import { COMPARED, describeDifference, rowsOf } from '../helpers/lakehouse-compare.js';
import { ALL_FAULTS } from '../unit/simulator/fixtures.js';

/**
 * The embedded engine against real Spark (`pipeline run --engine spark`, the PySpark stream shape on local
 * Spark): the same simulated input with every fault kind, the same micro-batches (the embedded engine cuts
 * BATCH lines per batch from one file; Spark reads files of exactly BATCH lines, one per batch, named by the
 * byte offset they start at, so bronze offsets agree) → the same gold, silver and quarantine rows, the same
 * watermark and the same per-operator numRowsDroppedByWatermark in every batch. Spark is the reference.
 */
// BREWLINE_DIFF_ORDERS / BREWLINE_DIFF_BATCH scale the same comparison up (the 200,000-order acceptance run:
// BREWLINE_DIFF_ORDERS=200000 BREWLINE_DIFF_BATCH=10000); a batch always spans ~30 simulated minutes.
const ORDERS = Number(process.env['BREWLINE_DIFF_ORDERS'] ?? 2500);
const BATCH = Number(process.env['BREWLINE_DIFF_BATCH'] ?? 500);
const ORDERS_PER_HOUR = 2 * BATCH;
/** Minutes a mode may take: the default run needs a few; a scaled one proportionally more. */
const MINUTES = Math.max(15, Math.ceil((ORDERS / 2500) * 1.5));
const OPERATORS = ['gold.branch_revenue', 'gold.product_popularity', 'gold.hourly_sales'];

let dir: string;
beforeAll(() => {
  dir = tempDir('spark-diff');
  // 2.5 simulated hours of a flat day from 09:00 Nepal time (branches open, so very late orders are really made),
  // 1,000 orders an hour: a batch of 500 lines is ~30 minutes, so from batch 2 on the watermark of the batch
  // before (Spark's late-row rule) has passed the windows of the very late orders and update mode drops them.
  const sim = runCli(
    [
      'simulate',
      '--sink',
      'file',
      '--out',
      'orders.ndjson',
      '--orders',
      String(ORDERS),
      '--speed',
      'max',
      '--seed',
      '11',
      '--profile',
      'flat',
      '--orders-per-hour',
      String(ORDERS_PER_HOUR),
      '--start',
      '2026-01-01T09:00',
      '--faults',
      ALL_FAULTS.replace('very_late=0.005', 'very_late=0.03'),
      '--ledger',
      'ledger.json',
    ],
    { cwd: dir },
  );
  if (sim.status !== 0) throw new Error(sim.stderr);
  // Files of exactly BATCH lines named by their starting byte offset (the Spark job's file-source contract).
  const bytes = readFileSync(join(dir, 'orders.ndjson'));
  mkdirSync(join(dir, 'split'));
  let start = 0;
  let lines = 0;
  let files = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    lines++;
    if (lines === BATCH || i === bytes.length - 1) {
      const file = join(dir, 'split', `${String(start).padStart(20, '0')}.ndjson`);
      writeFileSync(file, bytes.subarray(start, i + 1));
      // Spark's file source orders files by modification time, not by name: files written within the same
      // millisecond would be read in any order (one batch's duplicates and late rows landing in another).
      const mtime = 1_700_000_000 + files++ * 10;
      utimesSync(file, mtime, mtime);
      start = i + 1;
      lines = 0;
    }
  }
}, 120_000);
afterAll(() => removeTempDir(dir));

interface BatchFacts {
  batchId: number;
  watermark: string;
  dropped: Record<string, number>;
}

/** The embedded engine in this process (the composition module's EmbeddedEngine), its progress per batch. */
async function embedded(mode: 'complete' | 'update'): Promise<BatchFacts[]> {
  const source = await createSource({ kind: 'file', path: join(dir, 'orders.ndjson') });
  const engine = new EmbeddedEngine({
    source,
    lakehousePath: join(dir, `embedded-${mode}.duckdb`),
    checkpointDir: join(dir, `embedded-${mode}-cp`),
    catalog: loadDefaultCatalog(),
    trigger: { kind: 'availableNow' },
    settings: {
      queryName: 'orders',
      maxRecordsPerBatch: BATCH,
      outputMode: mode,
      window: { durationMs: 3_600_000, slideMs: 3_600_000, startOffsetMs: 900_000 },
      watermarkDelayMs: 600_000,
      startingOffsets: 'earliest',
    },
  });
  const batches: BatchProgress[] = [];
  engine.subscribe((e) => {
    if (e.type === 'progress' && e.progress.numInputRows > 0) batches.push(e.progress);
  });
  await engine.open();
  try {
    await engine.run();
  } finally {
    await engine.close();
    await source.close();
  }
  return batches.map((p) => ({
    batchId: p.batchId,
    watermark: p.eventTime.watermark,
    dropped: Object.fromEntries(
      p.stateOperators.map((op) => [op.operatorName, op.numRowsDroppedByWatermark]),
    ),
  }));
}

/** Spark through brewline's CLI; its gold query's progress rows from ops.stream_progress. */
async function spark(mode: 'complete' | 'update'): Promise<BatchFacts[]> {
  const run = runCli(
    [
      'pipeline',
      'run',
      '--engine',
      'spark',
      '--source',
      `file:${join(dir, 'split')}`,
      '--available-now',
      '--max-records-per-batch',
      String(BATCH),
      '--output-mode',
      mode,
      '--lakehouse',
      join(dir, `spark-${mode}`),
    ],
    { cwd: dir, timeoutMs: MINUTES * 60_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/^batch 0 /m);
  // Every acknowledged order is in the Spark lakehouse's gold once, less (update mode) the orders its
  // ops.watermark_drops records as dropped: verify against the simulator's ledger.
  expectVerified(mode);
  const reader = await openLakehouseReader(join(dir, `spark-${mode}`));
  try {
    const rows = await reader.query(
      "SELECT batch_id, watermark, state_operators FROM ops.stream_progress WHERE query_name = 'gold' AND num_input_rows > 0 ORDER BY batch_id",
    );
    return rows.rows.map((r) => ({
      batchId: Number(r[0]),
      watermark: String(r[1]),
      dropped: Object.fromEntries(
        (JSON.parse(String(r[2])) as { operatorName: string; numRowsDroppedByWatermark: number }[]).map(
          (op) => [op.operatorName, op.numRowsDroppedByWatermark],
        ),
      ),
    }));
  } finally {
    await reader.close();
  }
}

function expectVerified(mode: 'complete' | 'update'): void {
  const verify = runCli(
    ['verify', '--lakehouse', `spark-${mode}`, '--ledger', 'ledger.json', '--query-name', 'gold'],
    { cwd: dir, timeoutMs: 5 * 60_000 },
  );
  expect(verify.stdout).toContain('no differences');
  expect(verify.status, verify.stdout + verify.stderr).toBe(0);
}

async function compareTables(mode: 'complete' | 'update'): Promise<string[]> {
  const left = await openLakehouseReader(join(dir, `embedded-${mode}.duckdb`));
  const right = await openLakehouseReader(join(dir, `spark-${mode}`));
  const differences: string[] = [];
  try {
    for (const [name, sql] of Object.entries(COMPARED)) {
      const d = describeDifference(name, await rowsOf(left, sql), await rowsOf(right, sql));
      if (d) differences.push(d);
    }
  } finally {
    await left.close();
    await right.close();
  }
  return differences;
}

describe.each(['complete', 'update'] as const)('embedded engine = Spark, %s mode', (mode) => {
  it(
    'the same gold, silver and quarantine rows, watermark and drops per batch',
    async () => {
      const e = await embedded(mode);
      const s = await spark(mode);
      const differences = await compareTables(mode);
      const perBatch = (facts: BatchFacts[]): string[] =>
        facts.map(
          (f) =>
            `batch ${f.batchId} watermark ${f.watermark} dropped ${OPERATORS.map((o) => f.dropped[o] ?? 0).join('/')}`,
        );
      expect(perBatch(e).length).toBe(Math.ceil(ORDERS / BATCH));
      expect(differences.join('\n')).toBe('');
      expect(perBatch(e)).toEqual(perBatch(s));
      if (mode === 'update') {
        // The very late orders were really dropped somewhere: the comparison is not vacuous.
        expect(e.some((f) => OPERATORS.some((o) => (f.dropped[o] ?? 0) > 0))).toBe(true);
      }
    },
    (MINUTES + 5) * 60_000,
  );
});
