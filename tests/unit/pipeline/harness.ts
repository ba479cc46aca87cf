import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBLakehouse } from '../../../src/backends/duckdb/duckdb-lakehouse.js';
import { BusSource, dropBus, getBus } from '../../../src/backends/bus/index.js';
import type { OutputMode } from '../../../src/config/pipeline-config.js';
import { loadDefaultCatalog } from '../../../src/domain/catalog.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { NEPAL_HOURLY_WINDOW, type WindowSpec } from '../../../src/domain/time.js';
import { StreamingQuery } from '../../../src/pipeline/engine.js';
import type { PipelineLakehouse } from '../../../src/pipeline/lakehouse-types.js';
import type { BatchProgress, EngineEvent } from '../../../src/pipeline/progress-types.js';

export const catalog = loadDefaultCatalog();

/** A valid order event as the simulator would send it; prices come from the catalog. */
export function orderJson(
  orderId: string,
  timestamp: string,
  options: { branch?: string; lines?: readonly (readonly [string, number])[] } = {},
): string {
  const lines = (options.lines ?? [['HOT-1', 1]]).map(([itemId, quantity]) => {
    const item = catalog.itemById.get(itemId);
    if (!item) throw new Error(`no item ${itemId}`);
    const price = item.pricePaisa / 100;
    return {
      item_id: item.id,
      item_name: item.name,
      category: item.category,
      price,
      quantity,
      amount: (item.pricePaisa * quantity) / 100,
    };
  });
  const total = lines.reduce((s, l) => s + Math.round(l.amount * 100), 0) / 100;
  return JSON.stringify({
    schema_version: 1,
    order_id: orderId,
    timestamp,
    branch: options.branch ?? 'Jhamsikhel',
    terminal_id: `${options.branch ?? 'Jhamsikhel'}-1`,
    order_details: lines,
    total_order_amount: total,
    currency: 'NPR',
    mode_of_payment: 'cash',
  });
}

let busCounter = 0;

export interface Harness {
  busName: string;
  dir: string;
  lakehousePath: string;
  checkpointDir: string;
  /** Appends messages to one partition of the bus (the next batch boundaries are set by maxRecords). */
  send(values: readonly (string | Uint8Array)[], partition?: number): void;
  /** Runs available-now to the end; returns the progress of each batch. */
  runAvailableNow(
    options?: RunOptions,
  ): Promise<{ progress: BatchProgress[]; events: EngineEvent[]; query: StreamingQuery }>;
  /** Opens the lakehouse (closed after each run) and returns query rows. */
  rows(sql: string): Promise<(readonly unknown[])[]>;
  cleanup(): void;
}

export interface RunOptions {
  outputMode?: OutputMode;
  maxRecordsPerBatch?: number;
  window?: WindowSpec;
  watermarkDelayMs?: number;
  startingOffsets?: 'earliest' | 'latest';
  statefulOperatorAllowMultiple?: boolean;
  noDataMicroBatches?: boolean;
  lakehouse?: (path: string) => PipelineLakehouse;
}

export function harness(partitions = 1): Harness {
  const busName = `test-bus-${process.pid}-${busCounter++}`;
  const bus = getBus(busName, { partitions });
  const dir = mkdtempSync(join(tmpdir(), 'brewline-pipeline-'));
  const lakehousePath = join(dir, 'lakehouse.duckdb');
  const checkpointDir = join(dir, 'checkpoint');
  return {
    busName,
    dir,
    lakehousePath,
    checkpointDir,
    send(values, partition = 0) {
      for (const v of values) bus.append('k', v, 0, partition);
      bus.notify();
    },
    async runAvailableNow(options = {}) {
      const lakehouse =
        options.lakehouse?.(lakehousePath) ?? new DuckDBLakehouse({ path: lakehousePath, threads: 1 });
      const query = new StreamingQuery({
        source: new BusSource({ name: busName }),
        lakehouse,
        checkpointDir,
        catalog,
        trigger: { kind: 'availableNow' },
        maxRecordsPerBatch: options.maxRecordsPerBatch ?? 1000,
        outputMode: options.outputMode ?? 'complete',
        window: options.window ?? NEPAL_HOURLY_WINDOW,
        watermarkDelayMs: options.watermarkDelayMs ?? 10 * 60_000,
        ...(options.startingOffsets ? { startingOffsets: options.startingOffsets } : {}),
        ...(options.statefulOperatorAllowMultiple === undefined
          ? {}
          : { statefulOperatorAllowMultiple: options.statefulOperatorAllowMultiple }),
        ...(options.noDataMicroBatches === undefined
          ? {}
          : { noDataMicroBatches: options.noDataMicroBatches }),
        clock: new VirtualClock(Date.UTC(2026, 10, 26, 12)),
      });
      const events: EngineEvent[] = [];
      query.subscribe((e) => events.push(e));
      try {
        await query.run();
      } finally {
        await lakehouse.close();
      }
      const progress = events.flatMap((e) => (e.type === 'progress' ? [e.progress] : []));
      return { progress, events, query };
    },
    async rows(sql) {
      const lakehouse = new DuckDBLakehouse({ path: lakehousePath, threads: 1 });
      await lakehouse.open();
      try {
        return [...(await lakehouse.query(sql)).rows];
      } finally {
        await lakehouse.close();
      }
    },
    cleanup() {
      dropBus(busName);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
