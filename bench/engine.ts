/**
 * `npm run bench:engine`: orders/s and order lines/s from an NDJSON file through bronze, silver and gold
 * into the embedded DuckDB lakehouse, on one core (DuckDB threads = 1, one JS thread), with per-batch
 * latency p50/p99. Target: ≥ 100,000 orders/s (≈ 300,000 lines/s) with every layer persisted. The timed
 * interval runs from opening the lakehouse to closing it (its final checkpoint included).
 *
 * BENCH_ORDERS (default 300,000), BENCH_BATCH (max records per batch, default 50,000),
 * BENCH_WRITE_PATHS=1 also times the DuckDB write paths that were considered for silver.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { ChunkAppender } from '../src/backends/duckdb/chunk-appender.js';
import {
  appendSilverRows,
  DuckDBLakehouse,
  STORAGE_VERSION,
} from '../src/backends/duckdb/duckdb-lakehouse.js';
import { timestampFromMs } from '../src/backends/duckdb/json-values.js';
import { SILVER_COLUMNS } from '../src/backends/duckdb/schema.js';
import { FileSink } from '../src/backends/file/file-sink.js';
import { FileSource } from '../src/backends/file/file-source.js';
import { simulatorConfigSchema } from '../src/config/simulator-config.js';
import { loadDefaultCatalog } from '../src/domain/catalog.js';
import { paisaToDecimalString } from '../src/domain/money.js';
import { NEPAL_HOURLY_WINDOW } from '../src/domain/time.js';
import { StreamingQuery } from '../src/pipeline/engine.js';
import type { BatchProgress } from '../src/pipeline/progress-types.js';
import { refineBatch, type SilverOrder } from '../src/pipeline/silver.js';
import { Simulation, simulationSettings } from '../src/simulator/index.js';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 300_000);
const BATCH = Number(process.env['BENCH_BATCH'] ?? 50_000);
const TARGET = 100_000;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');
const catalog = loadDefaultCatalog();

const dir = mkdtempSync(join(tmpdir(), 'brewline-bench-engine-'));
try {
  const input = join(dir, 'orders.ndjson');
  const config = simulatorConfigSchema.parse({ seed: 7, orders: ORDERS, speed: 'max' });
  const settings = simulationSettings(config, catalog, 'default');
  const sim = await new Simulation({
    stream: settings.stream,
    sink: new FileSink({ path: input }),
    speed: 'max',
  }).run();
  if (sim.status !== 'finished') throw new Error(`simulation ${sim.status}`);
  console.log(
    `input: ${fmt(sim.ledger.messages.sent)} messages, ${fmt(sim.ledger.totals.orders)} orders, ${fmt(sim.ledger.totals.lines)} lines, ${fmt(statSync(input).size / 1e6)} MB (seed 7, no faults)`,
  );

  const lakehousePath = join(dir, 'lakehouse.duckdb');
  const lakehouse = new DuckDBLakehouse({ path: lakehousePath, threads: 1 });
  const query = new StreamingQuery({
    source: new FileSource({ path: input }),
    lakehouse,
    checkpointDir: join(dir, 'checkpoint'),
    catalog,
    trigger: { kind: 'availableNow' },
    maxRecordsPerBatch: BATCH,
    outputMode: 'complete',
    window: NEPAL_HOURLY_WINDOW,
  });
  const batches: BatchProgress[] = [];
  const phases = new Map<string, number>();
  query.subscribe((e) => {
    if (e.type !== 'progress') return;
    batches.push(e.progress);
    for (const [k, v] of Object.entries(e.progress.durationMs))
      phases.set(k, (phases.get(k) ?? 0) + (v ?? 0));
  });
  const started = performance.now();
  await query.run();
  const closing = performance.now();
  await lakehouse.close();
  const closeMs = performance.now() - closing;
  const seconds = (performance.now() - started) / 1000;

  const orders = batches.reduce((n, b) => n + b.silver.orders, 0);
  const lines = batches.reduce((n, b) => n + b.silver.rows, 0);
  const latencies = batches.map((b) => b.durationMs.triggerExecution ?? 0).sort((a, b) => a - b);
  const pct = (p: number): number =>
    latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? 0;
  console.log(
    `engine: ${batches.length} batches of ≤ ${fmt(BATCH)} records, complete mode, DuckDB threads=1`,
  );
  console.log(
    `  ${fmt(orders / seconds)} orders/s, ${fmt(lines / seconds)} lines/s (${seconds.toFixed(2)} s incl. open/recover and close ${fmt(closeMs)} ms)`,
  );
  console.log(`  lakehouse file ${(statSync(lakehousePath).size / 1e6).toFixed(1)} MB`);
  console.log(`  per-batch latency p50 ${fmt(pct(50))} ms, p99 ${fmt(pct(99))} ms`);
  console.log(
    `  time by phase: ${[...phases]
      .filter(([k]) => k !== 'triggerExecution')
      .map(([k, v]) => `${k} ${fmt(v)} ms`)
      .join(', ')}`,
  );
  console.log(`  target ${fmt(TARGET)} orders/s: ${orders / seconds >= TARGET ? 'met' : 'NOT met'}`);

  if (process.env['BENCH_WRITE_PATHS'] === '1') await writePaths(input);
} finally {
  rmSync(dir, { recursive: true, force: true });
}

/** Times the silver write paths considered, on the first 100k messages (lines/s, DuckDB threads=1). */
async function writePaths(input: string): Promise<void> {
  const source = new FileSource({ path: input });
  await source.open();
  const [pos] = await source.positions();
  const end = await source.offsetAfter(0, 0, 100_000, pos?.latest ?? 0);
  const refined = refineBatch(await source.read([{ partition: 0, from: 0, to: end }]), catalog);
  await source.close();
  const orders = refined.orders;
  const lines = orders.reduce((n, o) => n + o.lines.length, 0);
  const ddl = `CREATE TABLE s (order_id VARCHAR, event_time TIMESTAMP, branch VARCHAR, terminal_id VARCHAR,
    mode_of_payment VARCHAR, line_no INTEGER, item_id VARCHAR, item_name VARCHAR, category VARCHAR,
    unit_price DECIMAL(10,2), quantity INTEGER, line_amount DECIMAL(12,2), order_total DECIMAL(12,2),
    source_partition INTEGER, source_offset BIGINT, ingestion_timestamp TIMESTAMP)`;
  const paths: Record<
    string,
    (c: Awaited<ReturnType<DuckDBInstance['connect']>>, o: readonly SilverOrder[]) => Promise<void>
  > = {
    'appender, a call per value, money as decimal text': async (c, os) => {
      const a = await c.createAppender('s');
      const now = timestampFromMs(Date.now());
      for (const o of os) {
        const et = timestampFromMs(o.eventTimeMs);
        for (const l of o.lines) {
          a.appendVarchar(o.orderId);
          a.appendTimestamp(et);
          a.appendVarchar(o.branch);
          a.appendVarchar(o.terminalId ?? '');
          a.appendVarchar(o.payment);
          a.appendInteger(l.lineNo);
          a.appendVarchar(l.itemId);
          a.appendVarchar(l.itemName);
          a.appendVarchar(l.category);
          a.appendVarchar(paisaToDecimalString(l.pricePaisa));
          a.appendInteger(l.quantity);
          a.appendVarchar(paisaToDecimalString(l.amountPaisa));
          a.appendVarchar(paisaToDecimalString(o.totalPaisa));
          a.appendInteger(o.sourcePartition);
          a.appendBigInt(BigInt(o.sourceOffset));
          a.appendTimestamp(now);
          a.endRow();
        }
      }
      a.closeSync();
    },
    "chunk appender, money as paisa int64 (chosen: the lakehouse's own appendSilverRows)": async (c, os) => {
      appendSilverRows(new ChunkAppender(await c.createAppender('s'), SILVER_COLUMNS), os, Date.now());
    },
    'staged BIGINT paisa + INSERT … SELECT cast': async (c, os) => {
      await c.run(`CREATE TEMP TABLE st (order_id VARCHAR, ms BIGINT, branch VARCHAR, terminal_id VARCHAR, pay VARCHAR,
        line_no INTEGER, item_id VARCHAR, item_name VARCHAR, category VARCHAR, price BIGINT, qty INTEGER,
        amount BIGINT, total BIGINT, p INTEGER, off BIGINT)`);
      const a = await c.createAppender('st', 'main', 'temp');
      for (const o of os) {
        for (const l of o.lines) {
          a.appendVarchar(o.orderId);
          a.appendBigInt(BigInt(o.eventTimeMs));
          a.appendVarchar(o.branch);
          a.appendVarchar(o.terminalId ?? '');
          a.appendVarchar(o.payment);
          a.appendInteger(l.lineNo);
          a.appendVarchar(l.itemId);
          a.appendVarchar(l.itemName);
          a.appendVarchar(l.category);
          a.appendBigInt(BigInt(l.pricePaisa));
          a.appendInteger(l.quantity);
          a.appendBigInt(BigInt(l.amountPaisa));
          a.appendBigInt(BigInt(o.totalPaisa));
          a.appendInteger(o.sourcePartition);
          a.appendBigInt(BigInt(o.sourceOffset));
          a.endRow();
        }
      }
      a.closeSync();
      await c.run(`INSERT INTO s SELECT order_id, epoch_ms(ms), branch, terminal_id, pay, line_no, item_id, item_name, category,
        price::DECIMAL(18,0)::DECIMAL(18,2) / 100, qty, amount::DECIMAL(18,0)::DECIMAL(18,2) / 100,
        total::DECIMAL(18,0)::DECIMAL(18,2) / 100, p, off, now()::TIMESTAMP FROM st`);
    },
    'CSV temp file + read_csv': async (c, os) => {
      const parts: string[] = [];
      for (const o of os) {
        for (const l of o.lines) {
          parts.push(
            `${o.orderId},${o.eventTimeMs},"${o.branch}","${o.terminalId}",${o.payment},${l.lineNo},${l.itemId},"${l.itemName.replace(/"/g, '""')}",${l.category},${paisaToDecimalString(l.pricePaisa)},${l.quantity},${paisaToDecimalString(l.amountPaisa)},${paisaToDecimalString(o.totalPaisa)},${o.sourcePartition},${o.sourceOffset}\n`,
          );
        }
      }
      const file = join(dir, 'stage.csv');
      const { writeFileSync } = await import('node:fs');
      writeFileSync(file, parts.join(''));
      await c.run(`INSERT INTO s SELECT c0, epoch_ms(c1), c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, c12, c13, c14, now()::TIMESTAMP
        FROM read_csv('${file}', header = false, columns = {'c0':'VARCHAR','c1':'BIGINT','c2':'VARCHAR','c3':'VARCHAR',
        'c4':'VARCHAR','c5':'INTEGER','c6':'VARCHAR','c7':'VARCHAR','c8':'VARCHAR','c9':'DECIMAL(10,2)','c10':'INTEGER',
        'c11':'DECIMAL(12,2)','c12':'DECIMAL(12,2)','c13':'INTEGER','c14':'BIGINT'})`);
    },
  };
  console.log(
    `write paths for silver (${fmt(lines)} lines of ${fmt(orders.length)} orders, one transaction, threads=1):`,
  );
  for (const [name, run] of Object.entries(paths)) {
    const path = join(dir, `wp-${Math.random().toString(36).slice(2)}.duckdb`);
    const instance = await DuckDBInstance.create(path, {
      threads: '1',
      storage_compatibility_version: STORAGE_VERSION,
    });
    const c = await instance.connect();
    await c.run(ddl);
    const t = performance.now();
    await c.run('BEGIN');
    await run(c, orders);
    await c.run('COMMIT');
    const ms = performance.now() - t;
    c.closeSync();
    instance.closeSync();
    console.log(`  ${name.padEnd(48)} ${fmt((lines * 1000) / ms)} lines/s`);
  }
}
