import type { LakehouseReader, PartitionOffsets, QueryParameter, QueryResult } from '../backends/types.js';
import type { Clock } from '../domain/clock.js';
import { BugError } from '../errors.js';
import type {
  BatchProgress,
  EngineSnapshot,
  SourceProgress,
  StateOperatorProgress,
} from '../pipeline/progress-types.js';
import { GOLD_WINDOWS, type GoldSnapshot, type StatusFeed, type StreamReading } from './feed-types.js';
import {
  buildGoldSnapshot,
  parseBranchRevenue,
  parseHourlySales,
  parseProductSales,
} from './gold-queries.js';
import { HISTORY_LENGTH } from './monitor-snapshot.js';

/**
 * The monitor's feed on a Databricks SQL warehouse (`monitor --lakehouse databricks`): stream health from the
 * Spark jobs' `ops.stream_progress` rows, gold from the gold tables, in Databricks SQL with every user value a
 * bound named parameter. Its partitions are what the last batch planned (Spark's latestOffset); wrap it in a
 * SourceCheckedFeed for lag read fresh from Kafka or Event Hubs.
 */
export interface WarehouseFeedOptions {
  readonly reader: LakehouseReader;
  /** The streaming query to follow; when it has no rows, the one reading the source (ingest, bronze), else the latest. */
  readonly queryName: string;
  readonly clock: Clock;
  /** Printable source, for the header. */
  readonly source?: string;
  /** A query silent this long reads as idle (Databricks: a healthy query may be quiet). @default 120_000 */
  readonly idleAfterMs?: number;
}

const MISSING_TABLE = /TABLE_OR_VIEW_NOT_FOUND|SCHEMA_NOT_FOUND|does not exist|not found/i;

const PROGRESS_COLUMNS = `query_name, batch_id, timestamp, num_input_rows, input_rows_per_second,
  processed_rows_per_second, duration_ms, event_time_min, event_time_max, watermark,
  num_rows_dropped_by_watermark, state_operators, sources`;

export const WAREHOUSE_GOLD_SQL = {
  branches: `SELECT branch, CAST(SUM(revenue) AS STRING) AS revenue, SUM(orders) AS orders, SUM(items) AS items
FROM gold.branch_revenue GROUP BY branch ORDER BY SUM(revenue) DESC, branch`,
  products: `SELECT item_id, MIN(item_name) AS item_name, MIN(category) AS category, SUM(quantity) AS quantity,
  CAST(SUM(revenue) AS STRING) AS revenue, SUM(orders) AS orders
FROM gold.product_popularity GROUP BY item_id ORDER BY SUM(quantity) DESC, SUM(revenue) DESC, item_id`,
  branchProducts: `SELECT item_id, MIN(item_name) AS item_name, MIN(category) AS category, SUM(quantity) AS quantity,
  CAST(SUM(line_amount) AS STRING) AS revenue, COUNT(DISTINCT order_id) AS orders
FROM silver.order_items WHERE branch = :branch
GROUP BY item_id ORDER BY SUM(quantity) DESC, SUM(line_amount) DESC, item_id`,
  hourly: `SELECT unix_millis(window_start) AS start_ms, CAST(revenue AS STRING) AS revenue, orders, items
FROM gold.hourly_sales ORDER BY window_start DESC LIMIT ${GOLD_WINDOWS}`,
  branchHourly: `SELECT unix_millis(window_start) AS start_ms, CAST(revenue AS STRING) AS revenue, orders, items
FROM gold.branch_revenue WHERE branch = :branch ORDER BY window_start DESC LIMIT ${GOLD_WINDOWS}`,
} as const;

function json<T>(value: unknown, fallback: T): T {
  if (typeof value !== 'string') return (value as T | null) ?? fallback;
  try {
    return JSON.parse(value) as T;
  } catch {
    return fallback;
  }
}

const num = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const rate = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));
const iso = (v: unknown): string | undefined => (v === null || v === undefined ? undefined : String(v));

/** One ops.stream_progress row (columns in PROGRESS_COLUMNS order) as the engine's BatchProgress. Pure. */
export function progressFromRow(row: readonly unknown[]): BatchProgress {
  const sources = json<Partial<SourceProgress>[]>(row[12], []).map((s) => ({
    description: String(s.description ?? ''),
    startOffset: (s.startOffset ?? {}) as PartitionOffsets,
    endOffset: (s.endOffset ?? {}) as PartitionOffsets,
    latestOffset: (s.latestOffset ?? {}) as PartitionOffsets,
    numInputRows: num(s.numInputRows),
    inputRowsPerSecond: rate(s.inputRowsPerSecond),
    processedRowsPerSecond: rate(s.processedRowsPerSecond),
  }));
  const stateOperators = json<Partial<StateOperatorProgress>[]>(row[11], []).map((o) => ({
    operatorName: String(o.operatorName ?? ''),
    numRowsTotal: num(o.numRowsTotal),
    numRowsUpdated: num(o.numRowsUpdated),
    numRowsRemoved: num(o.numRowsRemoved),
    numRowsDroppedByWatermark: num(o.numRowsDroppedByWatermark),
    memoryUsedBytes: num(o.memoryUsedBytes),
    // brewline's extra late counts (orders, lines), when the writer records them, as the embedded engine does
    ...(o.numLateOrders === undefined ? {} : { numLateOrders: num(o.numLateOrders) }),
    ...(o.numLateLines === undefined ? {} : { numLateLines: num(o.numLateLines) }),
  }));
  const numInputRows = num(row[3]);
  const min = iso(row[7]);
  const max = iso(row[8]);
  return {
    queryName: String(row[0]),
    queryId: '',
    runId: '',
    batchId: num(row[1]),
    timestamp: iso(row[2]) ?? new Date(0).toISOString(),
    numInputRows,
    inputRowsPerSecond: rate(row[4]),
    processedRowsPerSecond: rate(row[5]),
    durationMs: json(row[6], {}),
    eventTime: {
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
      watermark: iso(row[9]) ?? new Date(0).toISOString(),
    },
    stateOperators,
    sources,
    sink: { description: 'Delta (Unity Catalog)', numOutputRows: -1 },
    silver: { rows: numInputRows, orders: 0, duplicates: 0, quarantined: 0 },
  };
}

export class WarehouseFeed implements StatusFeed {
  readonly description: string;
  private readonly options: WarehouseFeedOptions;
  private queryName: string;

  constructor(options: WarehouseFeedOptions) {
    this.options = options;
    this.queryName = options.queryName;
    this.description = options.reader.description;
  }

  private q(sql: string, params: Readonly<Record<string, QueryParameter>> = {}): Promise<QueryResult> {
    const { reader } = this.options;
    if (!reader.queryWithParams) throw new BugError(`${reader.description} cannot bind parameters`);
    return Object.keys(params).length > 0 ? reader.queryWithParams(sql, params) : reader.query(sql);
  }

  private async orEmpty(
    sql: string,
    params?: Readonly<Record<string, QueryParameter>>,
  ): Promise<QueryResult> {
    try {
      return await this.q(sql, params);
    } catch (error) {
      // Before the job's first run the schemas are empty: "no data yet", not a failure.
      if (MISSING_TABLE.test(error instanceof Error ? error.message : String(error))) {
        return { columns: [], rows: [] };
      }
      throw error;
    }
  }

  async readStream(): Promise<StreamReading> {
    const { clock } = this.options;
    let recent = await this.orEmpty(
      `SELECT ${PROGRESS_COLUMNS} FROM ops.stream_progress WHERE query_name = :query_name ORDER BY batch_id DESC LIMIT ${HISTORY_LENGTH}`,
      { query_name: this.queryName },
    );
    if (recent.rows.length === 0) {
      // The bundle's queries are named after their layer: the one reading the hub (ingest: the always-on job;
      // bronze: the DAG) carries the source offsets the lag is measured against.
      const latest = await this.orEmpty(
        `SELECT query_name FROM ops.stream_progress
          ORDER BY CASE query_name WHEN 'ingest' THEN 0 WHEN 'bronze' THEN 1 ELSE 2 END, timestamp DESC LIMIT 1`,
      );
      const name = latest.rows[0]?.[0];
      if (typeof name === 'string' && name !== this.queryName) {
        this.queryName = name;
        recent = await this.orEmpty(
          `SELECT ${PROGRESS_COLUMNS} FROM ops.stream_progress WHERE query_name = :query_name ORDER BY batch_id DESC LIMIT ${HISTORY_LENGTH}`,
          { query_name: name },
        );
      }
    }
    const history = recent.rows.map(progressFromRow).reverse();
    const totals = await this.orEmpty(
      `SELECT count(*), coalesce(sum(num_input_rows), 0), coalesce(sum(num_rows_dropped_by_watermark), 0)
         FROM ops.stream_progress WHERE query_name = :query_name`,
      { query_name: this.queryName },
    );
    const quarantine = await this.orEmpty('SELECT count(*) FROM silver.quarantine');
    const last = history.at(-1);
    const committed: Record<string, number> = {};
    const latest: Record<string, number> = {};
    for (const s of last?.sources ?? []) {
      for (const [p, o] of Object.entries(s.endOffset)) committed[p] = Number(o);
      for (const [p, o] of Object.entries(s.latestOffset)) latest[p] = Number(o);
    }
    const lastMs = last ? Date.parse(last.timestamp) : undefined;
    const t = totals.rows[0];
    const engine: EngineSnapshot = {
      status:
        lastMs === undefined
          ? 'starting'
          : clock.now() - lastMs > (this.options.idleAfterMs ?? 120_000)
            ? 'idle'
            : 'running',
      queryName: this.queryName,
      queryId: undefined,
      lastProgress: last,
      recentProgress: history,
      watermarkMs: last ? Date.parse(last.eventTime.watermark) : 0,
      committedOffsets: committed,
      totals: {
        batches: num(t?.[0]),
        inputRows: num(t?.[1]),
        droppedByWatermark: num(t?.[2]),
        quarantined: num(quarantine.rows[0]?.[0]),
      },
      lastEventAtMs: lastMs,
      error: undefined,
    };
    return {
      atMs: clock.now(),
      source: this.options.source ?? last?.sources[0]?.description ?? 'Databricks job',
      sink: this.options.reader.description,
      engine,
      simulator: undefined,
      partitions: Object.keys({ ...latest, ...committed })
        .map(Number)
        .sort((a, b) => a - b)
        .map((partition) => ({
          partition,
          latest: latest[String(partition)] ?? committed[String(partition)] ?? 0,
          committed: committed[String(partition)] ?? 0,
          oldestUnprocessedMs: undefined,
        })),
    };
  }

  async readGold(branch: string | null): Promise<GoldSnapshot> {
    const sql = WAREHOUSE_GOLD_SQL;
    const [allBranches, products, hourly] = await Promise.all([
      this.orEmpty(sql.branches).then(parseOrEmpty(parseBranchRevenue)),
      (branch === null ? this.orEmpty(sql.products) : this.orEmpty(sql.branchProducts, { branch })).then(
        parseOrEmpty(parseProductSales),
      ),
      (branch === null ? this.orEmpty(sql.hourly) : this.orEmpty(sql.branchHourly, { branch })).then(
        parseOrEmpty(parseHourlySales),
      ),
    ]);
    return buildGoldSnapshot({ atMs: this.options.clock.now(), branch, allBranches, products, hourly });
  }

  async close(): Promise<void> {
    await this.options.reader.close();
  }
}

function parseOrEmpty<T>(parse: (r: QueryResult) => T[]): (r: QueryResult) => T[] {
  return (r) => (r.columns.length === 0 ? [] : parse(r));
}
