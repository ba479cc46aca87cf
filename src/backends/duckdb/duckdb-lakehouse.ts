import { existsSync, mkdirSync, realpathSync } from 'node:fs';
import { totalmem } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DuckDBInstance, type DuckDBAppender } from '@duckdb/node-api';
import { DataIntegrityError, ExternalError } from '../../errors.js';
import { emptyGoldState, hourlyAverage, productKey, branchKey, type GoldState } from '../../pipeline/gold.js';
import type {
  BatchMarker,
  BatchWrite,
  LakehouseTotals,
  PipelineLakehouse,
} from '../../pipeline/lakehouse-types.js';
import type { SilverOrder } from '../../pipeline/silver.js';
import type { LakehouseReader, PartitionOffsets, QueryResult } from '../types.js';
import { decimalText, safeNumber, timestampFromMs, toJsonSafe } from './json-values.js';
import { ChunkAppender } from './chunk-appender.js';
import {
  BRONZE_COLUMNS,
  ID_COLUMNS,
  LAKEHOUSE_DDL,
  RAW_BYTES_MIGRATION,
  SILVER_COLUMNS,
  STAGING_DDL,
} from './schema.js';

/** The storage format of new lakehouse files (see `open`). */
export const STORAGE_VERSION = 'v1.3.0';

export interface DuckDBLakehouseOptions {
  /** The database file; `:memory:` for an in-memory lakehouse (tests). @default '.brewline/lakehouse.duckdb' */
  path: string;
  /** Open without write access (query/verify); refuses a file that does not exist. @default false */
  readOnly?: boolean;
  /** DuckDB worker threads. @default DuckDB's own (one per core) */
  threads?: number;
  /**
   * DuckDB's `memory_limit` (e.g. "1GB", "512MiB"): beyond it DuckDB spills to disk instead of growing.
   * @default a quarter of the machine's RAM, at least 256 MiB and at most 2 GiB (DuckDB's own is 80 %)
   */
  memoryLimit?: string;
  /**
   * DuckDB's `checkpoint_threshold`: the WAL size that triggers a checkpoint. A restart replays the whole WAL
   * and checkpoints it (measured: ~65 ms at 2.4 MB, ~220 ms at 14.5 MB, ~350 ms at 29 MB on a plain table,
   * far more with the gold tables' keys), so a small WAL keeps crash loops making progress. @default '4MB'
   */
  checkpointThreshold?: string;
  /**
   * For SQL a user types (`brewline query`): no file, network, extension or secret access beyond the
   * lakehouse file itself, and the configuration locked so SQL cannot undo it. @default false
   */
  sandboxed?: boolean;
}

/** The default DuckDB memory limit: 25 % of RAM within [256 MiB, 2 GiB]. */
export function defaultMemoryLimit(totalBytes = totalmem()): string {
  const mib = Math.round(Math.min(2048, Math.max(256, totalBytes / 4 / 2 ** 20)));
  return `${mib}MiB`;
}

/** Runs a query on a connection and returns JSON-safe columns and rows. */
async function runQuery(connection: DuckDBConnection, sql: string): Promise<QueryResult> {
  const reader = await connection.runAndReadAll(sql);
  const columns = reader.columnNames();
  const rows = reader.getRows().map((row) => row.map(toJsonSafe));
  return { columns, rows };
}

/** A second connection on the same DuckDB instance: an in-process dashboard reads while the engine writes. */
class DuckDBReader implements LakehouseReader {
  readonly kind = 'duckdb';
  readonly description: string;
  private readonly connection: DuckDBConnection;

  constructor(connection: DuckDBConnection, description: string) {
    this.connection = connection;
    this.description = description;
  }

  query(sql: string): Promise<QueryResult> {
    return runQuery(this.connection, sql);
  }

  async close(): Promise<void> {
    this.connection.closeSync();
  }
}

/**
 * Files a DuckDBLakehouse of this process has open. DuckDB's file lock is a POSIX record lock, which is held
 * per process: a second instance on the same file in the same process is not refused by it, and two instances
 * then checkpoint one WAL between them (one removes it under the other: DuckDB's FATAL "Could not remove file
 * ….wal"). So the second open here is refused with a readable error instead.
 */
const OPEN_IN_THIS_PROCESS = new Set<string>();

/**
 * The embedded lakehouse: one DuckDB file with schemas bronze, silver, gold and ops. Each micro-batch's
 * writes to every layer, its progress row and its `(query, batch_id)` marker commit in one transaction.
 */
export class DuckDBLakehouse implements PipelineLakehouse {
  readonly kind = 'duckdb';
  readonly description: string;
  private instance: DuckDBInstance | undefined;
  private connection: DuckDBConnection | undefined;
  private readonly options: DuckDBLakehouseOptions;
  private readonly readers = new Set<LakehouseReader>();
  private openKey: string | undefined;

  constructor(options: DuckDBLakehouseOptions) {
    this.options = options;
    this.description = `DuckDB lakehouse ${options.path === ':memory:' ? '(in memory)' : resolve(options.path)}`;
  }

  async open(): Promise<void> {
    if (this.connection) return;
    const { path, readOnly = false, threads, memoryLimit = defaultMemoryLimit() } = this.options;
    if (path !== ':memory:') {
      if (readOnly && !existsSync(path)) {
        throw new ExternalError(`no lakehouse at ${resolve(path)}`, {
          hint: 'run `brewline pipeline run` first, or point --lakehouse at an existing file',
        });
      }
      mkdirSync(dirname(resolve(path)), { recursive: true });
      const key = fileKey(path);
      if (OPEN_IN_THIS_PROCESS.has(key)) {
        throw new ExternalError(`the lakehouse ${resolve(path)} is already open in this process`, {
          hint: 'read it through the lakehouse that has it open, or close that one first',
        });
      }
      this.openKey = key;
      OPEN_IN_THIS_PROCESS.add(key);
    }
    try {
      await this.openInstance(path, readOnly, threads, memoryLimit);
    } catch (error) {
      await this.close().catch(() => undefined);
      throw error;
    }
  }

  private async openInstance(
    path: string,
    readOnly: boolean,
    threads: number | undefined,
    memoryLimit: string,
  ): Promise<void> {
    // A new file is written in the v1.3 storage format (readable by DuckDB ≥ 1.3): it can hold bronze's raw
    // messages with zstd, which checkpoints faster than the v1.0 default's FSST and is about 3x smaller.
    // An existing file keeps the format it was created with.
    const settings: Record<string, string> = { storage_compatibility_version: STORAGE_VERSION };
    if (readOnly) settings['access_mode'] = 'READ_ONLY';
    if (this.options.sandboxed) {
      settings['enable_external_access'] = 'false';
      settings['autoload_known_extensions'] = 'false';
      settings['autoinstall_known_extensions'] = 'false';
      settings['allow_community_extensions'] = 'false';
      settings['lock_configuration'] = 'true';
    }
    if (threads !== undefined) settings['threads'] = String(threads);
    settings['memory_limit'] = memoryLimit;
    if (!readOnly) settings['checkpoint_threshold'] = this.options.checkpointThreshold ?? '4MB';
    try {
      this.instance = await DuckDBInstance.create(path, settings);
      this.connection = await this.instance.connect();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const locked = /lock/i.test(message);
      throw new ExternalError(`cannot open the lakehouse ${resolve(path)}`, {
        cause: error,
        hint: locked
          ? 'another brewline process (a running pipeline?) holds it; stop it or query from inside that process'
          : 'check the --lakehouse path and its permissions',
      });
    }
    if (!readOnly) {
      await this.connection.run(LAKEHOUSE_DDL);
      const types = await this.connection.runAndReadAll(
        `SELECT table_schema || '.' || table_name, data_type FROM information_schema.columns
          WHERE column_name = 'value' AND table_schema IN ('bronze', 'silver')`,
      );
      await this.connection.run(
        RAW_BYTES_MIGRATION(new Map(types.getRows().map((r) => [String(r[0]), String(r[1])]))),
      );
      // Fold a WAL left by a crash into the file now: its replay already happened on open, and otherwise the
      // first commit pays the automatic checkpoint, so a crash loop would never get a batch through.
      await this.connection.run('CHECKPOINT');
    }
    await this.connection.run(STAGING_DDL);
  }

  private conn(): DuckDBConnection {
    if (!this.connection) throw new ExternalError('the lakehouse is not open');
    return this.connection;
  }

  /** A reader on the same instance (its own connection). */
  async reader(): Promise<LakehouseReader> {
    if (!this.instance) await this.open();
    const reader = new DuckDBReader(await this.instance!.connect(), this.description);
    this.readers.add(reader);
    return reader;
  }

  query(sql: string): Promise<QueryResult> {
    return runQuery(this.conn(), sql);
  }

  async lastMarker(queryName: string): Promise<BatchMarker | undefined> {
    const reader = await this.conn().runAndReadAll(
      `SELECT query_name, query_id, batch_id, batch_watermark_ms, next_watermark_ms, end_offset::VARCHAR
         FROM ops.batch_commits WHERE query_name = $1 ORDER BY batch_id DESC LIMIT 1`,
      [queryName],
    );
    const row = reader.getRows()[0];
    if (!row) return undefined;
    let endOffset: PartitionOffsets;
    try {
      endOffset = JSON.parse(String(row[5])) as PartitionOffsets;
    } catch {
      throw new DataIntegrityError(`the lakehouse's commit marker for batch ${String(row[2])} is unreadable`);
    }
    return {
      queryName: String(row[0]),
      queryId: String(row[1]),
      batchId: safeNumber(row[2] ?? null, 'batch_id'),
      batchWatermarkMs: safeNumber(row[3] ?? null, 'batch_watermark_ms'),
      nextWatermarkMs: safeNumber(row[4] ?? null, 'next_watermark_ms'),
      endOffset,
    };
  }

  async knownOrderIds(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const connection = this.conn();
    const w = new ChunkAppender(await connection.createAppender('stage_ids', 'main', 'temp'), ID_COLUMNS);
    for (const id of ids) w.varchar(0, w.row(), id);
    w.close();
    try {
      const reader = await connection.runAndReadAll(
        'SELECT DISTINCT t.order_id FROM stage_ids t SEMI JOIN silver.order_items s ON s.order_id = t.order_id',
      );
      return new Set(reader.getRows().map((row) => String(row[0])));
    } finally {
      await connection.run('DELETE FROM stage_ids');
    }
  }

  async loadGoldState(minWindowEndMs: number, windowDurationMs: number): Promise<GoldState> {
    const state = emptyGoldState();
    const connection = this.conn();
    // Window ends are compared in SQL against a start bound so the filter needs no TIMESTAMP parameter.
    const minStartMs = Number.isFinite(minWindowEndMs) ? minWindowEndMs - windowDurationMs : -8.64e15;
    const where = `WHERE epoch_ms(window_start) > ${Math.trunc(minStartMs)}`;
    const branch = await connection.runAndReadAll(
      `SELECT epoch_ms(window_start), branch, CAST(revenue * 100 AS BIGINT), orders, items FROM gold.branch_revenue ${where}`,
    );
    for (const r of branch.getRows()) {
      const row = {
        windowStartMs: safeNumber(r[0] ?? null, 'window_start'),
        branch: String(r[1]),
        revenuePaisa: safeNumber(r[2] ?? null, 'revenue'),
        orders: safeNumber(r[3] ?? null, 'orders'),
        items: safeNumber(r[4] ?? null, 'items'),
      };
      state.branch.set(branchKey(row.windowStartMs, row.branch), row);
    }
    const product = await connection.runAndReadAll(
      `SELECT epoch_ms(window_start), item_id, item_name, category, quantity, CAST(revenue * 100 AS BIGINT), orders
         FROM gold.product_popularity ${where}`,
    );
    for (const r of product.getRows()) {
      const row = {
        windowStartMs: safeNumber(r[0] ?? null, 'window_start'),
        itemId: String(r[1]),
        itemName: String(r[2]),
        category: String(r[3]),
        quantity: safeNumber(r[4] ?? null, 'quantity'),
        revenuePaisa: safeNumber(r[5] ?? null, 'revenue'),
        orders: safeNumber(r[6] ?? null, 'orders'),
      };
      state.product.set(productKey(row.windowStartMs, row.itemId), row);
    }
    const hourly = await connection.runAndReadAll(
      `SELECT epoch_ms(window_start), CAST(revenue * 100 AS BIGINT), orders, items FROM gold.hourly_sales ${where}`,
    );
    for (const r of hourly.getRows()) {
      const row = {
        windowStartMs: safeNumber(r[0] ?? null, 'window_start'),
        revenuePaisa: safeNumber(r[1] ?? null, 'revenue'),
        orders: safeNumber(r[2] ?? null, 'orders'),
        items: safeNumber(r[3] ?? null, 'items'),
      };
      state.hourly.set(row.windowStartMs, row);
    }
    return state;
  }

  async totals(queryName: string): Promise<LakehouseTotals> {
    const connection = this.conn();
    const progress = await connection.runAndReadAll(
      `SELECT count(*), coalesce(sum(num_input_rows), 0), coalesce(sum(num_rows_dropped_by_watermark), 0)
         FROM ops.stream_progress WHERE query_name = $1`,
      [queryName],
    );
    const quarantine = await connection.runAndReadAll('SELECT count(*) FROM silver.quarantine');
    const p = progress.getRows()[0] ?? [];
    return {
      batches: safeNumber(p[0] ?? 0, 'batches'),
      inputRows: safeNumber(BigInt(String(p[1] ?? 0)), 'input rows'),
      droppedByWatermark: safeNumber(BigInt(String(p[2] ?? 0)), 'dropped rows'),
      quarantined: safeNumber(quarantine.getRows()[0]?.[0] ?? 0, 'quarantined'),
    };
  }

  async commitBatch(write: BatchWrite, whileCommitting?: () => Promise<void>): Promise<void> {
    const connection = this.conn();
    await connection.run('BEGIN TRANSACTION');
    try {
      await this.writeBronze(connection, write);
      await this.writeSilver(connection, write);
      await this.writeGold(connection, write);
      await this.writeOps(connection, write);
      // DuckDB commits on its own thread: the caller's side work overlaps with it.
      const commit = connection.run('COMMIT');
      const side = whileCommitting?.().catch(() => undefined);
      await commit;
      await side;
    } catch (error) {
      await connection.run('ROLLBACK').catch(() => undefined);
      if (
        error instanceof Error &&
        /PRIMARY KEY|duplicate key/i.test(error.message) &&
        /batch_commits/.test(error.message)
      ) {
        throw new DataIntegrityError(
          `batch ${write.marker.batchId} of query ${write.marker.queryName} is already in the lakehouse`,
          { cause: error },
        );
      }
      throw error;
    }
  }

  private async writeBronze(connection: DuckDBConnection, write: BatchWrite): Promise<void> {
    const { records, batchId, ingestionMs } = write.bronze;
    const w = new ChunkAppender(await connection.createAppender('orders_raw', 'bronze'), BRONZE_COLUMNS);
    for (const rec of records) {
      const r = w.row();
      w.bytes(0, r, rec.value);
      w.varchar(1, r, rec.key);
      w.varchar(2, r, rec.topic);
      w.integer(3, r, rec.partition);
      w.bigint(4, r, rec.offset);
      w.timestamp(5, r, rec.timestampMs);
      w.varchar(6, r, rec.timestampType);
      w.timestamp(7, r, ingestionMs);
      w.bigint(8, r, batchId);
    }
    w.close();
  }

  private async writeSilver(connection: DuckDBConnection, write: BatchWrite): Promise<void> {
    const ingestionMs = write.bronze.ingestionMs;
    await this.appendSilver(connection, write.silver, ingestionMs);
    if (write.quarantine.length > 0) {
      const ingestion = timestampFromMs(ingestionMs);
      const quarantine = await connection.createAppender('quarantine', 'silver');
      for (const q of write.quarantine) {
        quarantine.appendInteger(q.sourcePartition);
        quarantine.appendBigInt(BigInt(q.sourceOffset));
        quarantine.appendBlob(q.value);
        quarantine.appendVarchar(q.reason);
        quarantine.appendTimestamp(ingestion);
        quarantine.endRow();
      }
      quarantine.closeSync();
    }
  }

  /** Appends orders' silver.order_items rows (exploded in the writer's loop, no line objects in between). */
  protected async appendSilver(
    connection: DuckDBConnection,
    orders: readonly SilverOrder[],
    ingestionMs: number,
  ): Promise<void> {
    appendSilverRows(
      new ChunkAppender(await connection.createAppender('order_items', 'silver'), SILVER_COLUMNS),
      orders,
      ingestionMs,
    );
  }

  /**
   * Bisects `orders` with silver writes that are always rolled back, down to the single orders whose rows
   * cannot be stored (a value beyond a column type): O(k log n) probes for k such orders in n.
   */
  async findUnwritableOrders(
    orders: readonly SilverOrder[],
    ingestionMs: number,
  ): Promise<Map<string, string>> {
    const connection = this.conn();
    const unwritable = new Map<string, string>();
    const probe = async (part: readonly SilverOrder[]): Promise<string | undefined> => {
      await connection.run('BEGIN TRANSACTION');
      try {
        await this.appendSilver(connection, part, ingestionMs);
        return undefined;
      } catch (error) {
        return (error instanceof Error ? error.message : String(error)).split('\n')[0];
      } finally {
        await connection.run('ROLLBACK').catch(() => undefined);
      }
    };
    const search = async (part: readonly SilverOrder[]): Promise<void> => {
      if (part.length === 0) return;
      const problem = await probe(part);
      if (problem === undefined) return;
      if (part.length === 1) {
        unwritable.set(part[0]!.orderId, `range: the lakehouse cannot store this order (${problem})`);
        return;
      }
      const mid = part.length >> 1;
      await search(part.slice(0, mid));
      await search(part.slice(mid));
    };
    await search(orders);
    return unwritable;
  }

  private async writeGold(connection: DuckDBConnection, write: BatchWrite): Promise<void> {
    const duration = write.windowDurationMs;
    const { branch, product, hourly } = write.gold;
    const windowOf = (a: DuckDBAppender, startMs: number): void => {
      a.appendTimestamp(timestampFromMs(startMs));
      a.appendTimestamp(timestampFromMs(startMs + duration));
    };
    const upserts: string[] = [];
    const upsert = (table: string, stage: string): string =>
      `INSERT OR REPLACE INTO ${table} SELECT * FROM ${stage}; DELETE FROM ${stage};`;
    if (branch.length > 0) {
      const a = await connection.createAppender('stage_branch', 'main', 'temp');
      for (const row of branch) {
        windowOf(a, row.windowStartMs);
        a.appendVarchar(row.branch);
        a.appendVarchar(decimalText(row.revenuePaisa));
        a.appendBigInt(BigInt(row.orders));
        a.appendBigInt(BigInt(row.items));
        a.endRow();
      }
      a.closeSync();
      upserts.push(upsert('gold.branch_revenue', 'stage_branch'));
    }
    if (product.length > 0) {
      const a = await connection.createAppender('stage_product', 'main', 'temp');
      for (const row of product) {
        windowOf(a, row.windowStartMs);
        a.appendVarchar(row.itemId);
        a.appendVarchar(row.itemName);
        a.appendVarchar(row.category);
        a.appendBigInt(BigInt(row.quantity));
        a.appendVarchar(decimalText(row.revenuePaisa));
        a.appendBigInt(BigInt(row.orders));
        a.endRow();
      }
      a.closeSync();
      upserts.push(upsert('gold.product_popularity', 'stage_product'));
    }
    if (hourly.length > 0) {
      const a = await connection.createAppender('stage_hourly', 'main', 'temp');
      for (const row of hourly) {
        windowOf(a, row.windowStartMs);
        a.appendVarchar(decimalText(row.revenuePaisa));
        a.appendBigInt(BigInt(row.orders));
        a.appendBigInt(BigInt(row.items));
        a.appendVarchar(decimalText(hourlyAverage(row)));
        a.endRow();
      }
      a.closeSync();
      upserts.push(upsert('gold.hourly_sales', 'stage_hourly'));
    }
    // One round trip for every upsert (DuckDB runs a multi-statement string in order).
    if (upserts.length > 0) await connection.run(upserts.join('\n'));
  }

  private async writeOps(connection: DuckDBConnection, write: BatchWrite): Promise<void> {
    const { marker, progress } = write;
    if (write.drops.length > 0) {
      const a = await connection.createAppender('watermark_drops', 'ops');
      const watermark = timestampFromMs(write.lateWatermarkMs);
      for (const d of write.drops) {
        a.appendVarchar(marker.queryName);
        a.appendBigInt(BigInt(marker.batchId));
        a.appendVarchar(d.orderId);
        a.appendTimestamp(timestampFromMs(d.eventTimeMs));
        a.appendTimestamp(timestampFromMs(d.windowStartMs));
        a.appendTimestamp(watermark);
        a.appendInteger(d.lines);
        a.endRow();
      }
      a.closeSync();
    }
    // DOMAIN.md: the column sums the state operators' numRowsDroppedByWatermark (as Spark's progress does).
    const dropped = progress.stateOperators.reduce((n, op) => n + op.numRowsDroppedByWatermark, 0);
    const stateRows = progress.stateOperators.reduce((s, op) => s + op.numRowsTotal, 0);
    const sources = progress.sources.map((s) => ({
      description: s.description,
      startOffset: s.startOffset,
      endOffset: s.endOffset,
      latestOffset: s.latestOffset,
      numInputRows: s.numInputRows,
    }));
    const p = await connection.createAppender('stream_progress', 'ops');
    p.appendVarchar(progress.queryName);
    p.appendBigInt(BigInt(progress.batchId));
    p.appendTimestamp(timestampFromMs(Date.parse(progress.timestamp)));
    p.appendBigInt(BigInt(progress.numInputRows));
    if (progress.inputRowsPerSecond === null) p.appendNull();
    else p.appendDouble(progress.inputRowsPerSecond);
    if (progress.processedRowsPerSecond === null) p.appendNull();
    else p.appendDouble(progress.processedRowsPerSecond);
    p.appendVarchar(JSON.stringify(progress.durationMs));
    for (const iso of [progress.eventTime.min, progress.eventTime.max, progress.eventTime.watermark]) {
      if (iso === undefined) p.appendNull();
      else p.appendTimestamp(timestampFromMs(Date.parse(iso)));
    }
    p.appendBigInt(BigInt(dropped));
    p.appendBigInt(BigInt(stateRows));
    p.appendVarchar(JSON.stringify(sources));
    p.appendVarchar(JSON.stringify(progress.stateOperators));
    p.endRow();
    p.closeSync();
    const s = write.settings;
    await connection.run(
      `INSERT OR REPLACE INTO ops.query_settings VALUES ($1, $2, $3, $4, $5, $6, now()::TIMESTAMP)`,
      [
        marker.queryName,
        s.outputMode,
        s.statefulOperatorAllowMultiple,
        s.windowDurationMs,
        s.windowOffsetMs,
        s.watermarkDelayMs,
      ],
    );
    await connection.run(
      `INSERT INTO ops.batch_commits VALUES ($1, $2, $3, $4, $5, $6::JSON, now()::TIMESTAMP)`,
      [
        marker.queryName,
        marker.queryId,
        marker.batchId,
        marker.batchWatermarkMs,
        marker.nextWatermarkMs,
        JSON.stringify(marker.endOffset),
      ],
    );
  }

  /** Bytes DuckDB holds in memory now (its buffer manager's view: `duckdb_memory()`). */
  async memoryUsage(): Promise<number> {
    const reader = await this.conn().runAndReadAll(
      'SELECT coalesce(sum(memory_usage_bytes), 0)::BIGINT FROM duckdb_memory()',
    );
    return safeNumber(reader.getRows()[0]?.[0] ?? 0, 'memory_usage_bytes');
  }

  async close(): Promise<void> {
    for (const reader of this.readers) await reader.close();
    this.readers.clear();
    // A clean stop leaves no WAL behind: the next start has nothing to replay.
    if (this.connection && !this.options.readOnly) {
      await this.connection.run('CHECKPOINT').catch(() => undefined);
    }
    this.connection?.closeSync();
    this.connection = undefined;
    this.instance?.closeSync();
    this.instance = undefined;
    if (this.openKey !== undefined) OPEN_IN_THIS_PROCESS.delete(this.openKey);
    this.openKey = undefined;
  }
}

/** The file's identity for OPEN_IN_THIS_PROCESS: its real path once it exists (links and `..` resolved). */
function fileKey(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    return join(realpathSync(dirname(absolute)), basename(absolute));
  }
}

/**
 * Explodes orders to silver.order_items rows on a chunk writer laid out as SILVER_COLUMNS, then closes it.
 * Money goes in as exact integer paisa (DECIMAL's own scaled int64). Exported so bench:engine times this code.
 */
export function appendSilverRows(
  w: ChunkAppender,
  orders: readonly SilverOrder[],
  ingestionMs: number,
): void {
  for (const order of orders) {
    for (const line of order.lines) {
      const r = w.row();
      w.varchar(0, r, order.orderId);
      w.timestampMicros(1, r, order.eventTimeMicros);
      w.varchar(2, r, order.branch);
      w.varchar(3, r, order.terminalId);
      w.varchar(4, r, order.payment);
      w.integer(5, r, line.lineNo);
      w.varchar(6, r, line.itemId);
      w.varchar(7, r, line.itemName);
      w.varchar(8, r, line.category);
      w.decimal(9, r, line.pricePaisa);
      w.integer(10, r, line.quantity);
      w.decimal(11, r, line.amountPaisa);
      w.decimal(12, r, order.totalPaisa);
      w.integer(13, r, order.sourcePartition);
      w.bigint(14, r, order.sourceOffset);
      w.timestamp(15, r, ingestionMs);
    }
  }
  w.close();
}
