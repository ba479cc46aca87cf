/**
 * `npm run bench:spark`: the same input through the embedded engine and through local Spark (`local[2]`,
 * the PySpark stream shape via `brewline pipeline run --engine spark`), both through brewline's CLI, with the
 * same micro-batches (the embedded engine cuts BENCH_BATCH lines from one file; Spark reads files of exactly
 * BENCH_BATCH lines). Two figures per engine: the whole process (start to exit: Node, or Python + JVM + Spark
 * session) and the time inside the query (the sum of every query's `durationMs.triggerExecution` from
 * ops.stream_progress), as orders/s, side by side, and the ratio.
 *
 * BENCH_ORDERS (messages, faults included; default 20,000), BENCH_BATCH (default 5,000).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLakehouseReader } from '../src/backends/lakehouse-readers.js';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 20_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 5_000);
const FAULTS = 'late=0.02,very_late=0.005,duplicate=0.01,malformed=0.002,invalid=0.003,oversize=0.001';
const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', '..', 'bin', 'brewline.js');
const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

function brewline(args: string[], cwd: string): number {
  const started = performance.now();
  const run = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 60 * 60_000 });
  const ms = performance.now() - started;
  if (run.status !== 0) throw new Error(`brewline ${args.join(' ')} failed:\n${run.stderr}`);
  return ms;
}

/** Σ triggerExecution over every batch of every query (ms). */
async function insideQueryMs(lakehouse: string): Promise<number> {
  const reader = await openLakehouseReader(lakehouse);
  try {
    const rows = (await reader.query('SELECT duration_ms::VARCHAR FROM ops.stream_progress')).rows;
    return rows.reduce((sum, [d]) => {
      const parsed = JSON.parse(String(d)) as { triggerExecution?: number };
      return sum + (parsed.triggerExecution ?? 0);
    }, 0);
  } finally {
    await reader.close();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'brewline-bench-spark-'));
try {
  process.stderr.write(`generating ${fmt(ORDERS)} messages (every fault kind)…\n`);
  brewline(
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
      '1',
      '--faults',
      FAULTS,
    ],
    dir,
  );
  const bytes = readFileSync(join(dir, 'orders.ndjson'));
  mkdirSync(join(dir, 'split'));
  for (let i = 0, start = 0, lines = 0, files = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (++lines === BATCH || i === bytes.length - 1) {
      const file = join(dir, 'split', `${String(start).padStart(20, '0')}.ndjson`);
      writeFileSync(file, bytes.subarray(start, i + 1));
      // Spark's file source reads files in modification-time order, not name order.
      const mtime = 1_700_000_000 + files++ * 10;
      utimesSync(file, mtime, mtime);
      start = i + 1;
      lines = 0;
    }
  }
  const common = ['--available-now', '--max-records-per-batch', String(BATCH)];
  process.stderr.write('embedded engine…\n');
  const embeddedWall = brewline(
    [
      'pipeline',
      'run',
      '--source',
      'file:orders.ndjson',
      '--lakehouse',
      'embedded.duckdb',
      '--checkpoint',
      'cp',
      ...common,
    ],
    dir,
  );
  const embeddedQuery = await insideQueryMs(join(dir, 'embedded.duckdb'));
  process.stderr.write('Spark local[2] (first run may create the Python environment)…\n');
  const sparkWall = brewline(
    [
      'pipeline',
      'run',
      '--engine',
      'spark',
      '--source',
      `file:${join(dir, 'split')}`,
      '--lakehouse',
      'spark',
      ...common,
    ],
    dir,
  );
  const sparkQuery = await insideQueryMs(join(dir, 'spark'));
  const rate = (ms: number): number => ORDERS / (ms / 1000);
  const rows = [
    ['', 'whole process', 'orders/s', 'inside the query', 'orders/s'],
    [
      'embedded',
      `${fmt(embeddedWall / 1000, 1)} s`,
      fmt(rate(embeddedWall)),
      `${fmt(embeddedQuery / 1000, 1)} s`,
      fmt(rate(embeddedQuery)),
    ],
    [
      'Spark local[2]',
      `${fmt(sparkWall / 1000, 1)} s`,
      fmt(rate(sparkWall)),
      `${fmt(sparkQuery / 1000, 1)} s`,
      fmt(rate(sparkQuery)),
    ],
    [
      'embedded / Spark',
      '',
      `${fmt(sparkWall / embeddedWall, 1)}×`,
      '',
      `${fmt(sparkQuery / embeddedQuery, 1)}×`,
    ],
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  process.stdout.write(
    `bench:spark — ${fmt(ORDERS)} messages, batches of ${fmt(BATCH)} lines, complete mode\n` +
      rows
        .map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  '))
        .join('\n') +
      '\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
