import type { ChunkColumn } from './chunk-appender.js';

/**
 * The embedded lakehouse's tables: DOMAIN.md's bronze/silver/gold/ops tables, plus two ops tables of the
 * engine's own — the per-batch commit markers (exactly-once), the orders the watermark dropped (so
 * `verify` can account for update mode; `watermark` is the late-events watermark that dropped them) and
 * each query's settings (`ops.query_settings`: output mode and allowMultiple, which `verify` reads).
 * `ops.stream_progress.state_operators` is added by ALTER so older files gain it (new column last). Money is DECIMAL, times are TIMESTAMP (UTC). Bronze's raw JSON is
 * stored with zstd (measured: about a third of FSST's size and cheaper to checkpoint; needs the v1.3 storage
 * format, else DuckDB stores it uncompressed).
 */
export const LAKEHOUSE_DDL = `
CREATE SCHEMA IF NOT EXISTS bronze;
CREATE SCHEMA IF NOT EXISTS silver;
CREATE SCHEMA IF NOT EXISTS gold;
CREATE SCHEMA IF NOT EXISTS ops;
CREATE TABLE IF NOT EXISTS bronze.orders_raw (
  value BLOB USING COMPRESSION zstd, key VARCHAR, topic VARCHAR, "partition" INTEGER, "offset" BIGINT, "timestamp" TIMESTAMP,
  timestamp_type VARCHAR, ingestion_timestamp TIMESTAMP, batch_id BIGINT);
CREATE TABLE IF NOT EXISTS silver.order_items (
  order_id VARCHAR NOT NULL, event_time TIMESTAMP NOT NULL, branch VARCHAR, terminal_id VARCHAR,
  mode_of_payment VARCHAR, line_no INTEGER, item_id VARCHAR, item_name VARCHAR, category VARCHAR,
  unit_price DECIMAL(10,2), quantity INTEGER, line_amount DECIMAL(12,2), order_total DECIMAL(12,2),
  source_partition INTEGER, source_offset BIGINT, ingestion_timestamp TIMESTAMP);
CREATE TABLE IF NOT EXISTS silver.quarantine (
  source_partition INTEGER, source_offset BIGINT, value BLOB, reason VARCHAR, ingestion_timestamp TIMESTAMP);
CREATE TABLE IF NOT EXISTS gold.branch_revenue (
  window_start TIMESTAMP NOT NULL, window_end TIMESTAMP NOT NULL, branch VARCHAR NOT NULL,
  revenue DECIMAL(18,2), orders BIGINT, items BIGINT, PRIMARY KEY (window_start, branch));
CREATE TABLE IF NOT EXISTS gold.product_popularity (
  window_start TIMESTAMP NOT NULL, window_end TIMESTAMP NOT NULL, item_id VARCHAR NOT NULL, item_name VARCHAR,
  category VARCHAR, quantity BIGINT, revenue DECIMAL(18,2), orders BIGINT, PRIMARY KEY (window_start, item_id));
CREATE TABLE IF NOT EXISTS gold.hourly_sales (
  window_start TIMESTAMP NOT NULL, window_end TIMESTAMP NOT NULL, revenue DECIMAL(18,2), orders BIGINT,
  items BIGINT, avg_order_value DECIMAL(18,2), PRIMARY KEY (window_start));
CREATE TABLE IF NOT EXISTS ops.stream_progress (
  query_name VARCHAR, batch_id BIGINT, "timestamp" TIMESTAMP, num_input_rows BIGINT,
  input_rows_per_second DOUBLE, processed_rows_per_second DOUBLE, duration_ms JSON, event_time_min TIMESTAMP,
  event_time_max TIMESTAMP, watermark TIMESTAMP, num_rows_dropped_by_watermark BIGINT, state_rows BIGINT,
  sources JSON);
CREATE TABLE IF NOT EXISTS ops.batch_commits (
  query_name VARCHAR NOT NULL, query_id VARCHAR NOT NULL, batch_id BIGINT NOT NULL, batch_watermark_ms BIGINT,
  next_watermark_ms BIGINT, end_offset JSON, committed_at TIMESTAMP, PRIMARY KEY (query_name, batch_id));
CREATE TABLE IF NOT EXISTS ops.watermark_drops (
  query_name VARCHAR, batch_id BIGINT, order_id VARCHAR, event_time TIMESTAMP, window_start TIMESTAMP,
  watermark TIMESTAMP, lines INTEGER);
ALTER TABLE ops.stream_progress ADD COLUMN IF NOT EXISTS state_operators JSON;
CREATE TABLE IF NOT EXISTS ops.query_settings (
  query_name VARCHAR PRIMARY KEY, output_mode VARCHAR NOT NULL, stateful_operator_allow_multiple BOOLEAN NOT NULL,
  window_duration_ms BIGINT, window_offset_ms BIGINT, watermark_delay_ms BIGINT, updated_at TIMESTAMP);
`;

/**
 * Files written before bronze kept bytes hold `value` as VARCHAR: converted once to BLOB (the text's UTF-8),
 * then the text views for reading (`try(decode(…))`: NULL where the bytes are not UTF-8).
 */
export const RAW_BYTES_MIGRATION = (valueTypes: ReadonlyMap<string, string>): string => `
${valueTypes.get('bronze.orders_raw') === 'VARCHAR' ? 'ALTER TABLE bronze.orders_raw ALTER value SET DATA TYPE BLOB USING encode(value);' : ''}
${valueTypes.get('silver.quarantine') === 'VARCHAR' ? 'ALTER TABLE silver.quarantine ALTER value SET DATA TYPE BLOB USING encode(value);' : ''}
CREATE OR REPLACE VIEW bronze.orders_raw_text AS SELECT * REPLACE (try(decode(value)) AS value) FROM bronze.orders_raw;
CREATE OR REPLACE VIEW silver.quarantine_text AS SELECT * REPLACE (try(decode(value)) AS value) FROM silver.quarantine;
`;

/** Temporary per-connection staging tables (gold upserts and the dedup lookup). */
export const STAGING_DDL = `
CREATE TEMP TABLE IF NOT EXISTS stage_ids (order_id VARCHAR);
CREATE TEMP TABLE IF NOT EXISTS stage_branch (window_start TIMESTAMP, window_end TIMESTAMP, branch VARCHAR,
  revenue DECIMAL(18,2), orders BIGINT, items BIGINT);
CREATE TEMP TABLE IF NOT EXISTS stage_product (window_start TIMESTAMP, window_end TIMESTAMP, item_id VARCHAR,
  item_name VARCHAR, category VARCHAR, quantity BIGINT, revenue DECIMAL(18,2), orders BIGINT);
CREATE TEMP TABLE IF NOT EXISTS stage_hourly (window_start TIMESTAMP, window_end TIMESTAMP,
  revenue DECIMAL(18,2), orders BIGINT, items BIGINT, avg_order_value DECIMAL(18,2));
`;

/** bronze.orders_raw for the chunk writer: the raw value is unique, the source's names repeat. */
export const BRONZE_COLUMNS: readonly ChunkColumn[] = [
  { kind: 'blob' }, // value: the exact bytes
  { kind: 'varchar', repeats: 'runs', nullable: true }, // key
  { kind: 'varchar', repeats: 'runs' }, // topic
  { kind: 'integer' }, // partition
  { kind: 'bigint' }, // offset
  { kind: 'timestamp' }, // timestamp
  { kind: 'varchar', repeats: 'runs' }, // timestamp_type
  { kind: 'timestamp' }, // ingestion_timestamp
  { kind: 'bigint' }, // batch_id
];

/** silver.order_items: order-level strings repeat on an order's lines, catalog strings across the chunk. */
export const SILVER_COLUMNS: readonly ChunkColumn[] = [
  { kind: 'varchar', repeats: 'runs' }, // order_id
  { kind: 'timestamp' }, // event_time
  { kind: 'varchar', repeats: 'any' }, // branch
  { kind: 'varchar', repeats: 'any', nullable: true }, // terminal_id (null for schema version 0)
  { kind: 'varchar', repeats: 'any' }, // mode_of_payment
  { kind: 'integer' }, // line_no
  { kind: 'varchar', repeats: 'any' }, // item_id
  { kind: 'varchar', repeats: 'any' }, // item_name
  { kind: 'varchar', repeats: 'any' }, // category
  { kind: 'decimal', width: 10, scale: 2 }, // unit_price
  { kind: 'integer' }, // quantity
  { kind: 'decimal', width: 12, scale: 2 }, // line_amount
  { kind: 'decimal', width: 12, scale: 2 }, // order_total
  { kind: 'integer' }, // source_partition
  { kind: 'bigint' }, // source_offset
  { kind: 'timestamp' }, // ingestion_timestamp
];

/** stage_ids: the dedup lookup's order ids. */
export const ID_COLUMNS: readonly ChunkColumn[] = [{ kind: 'varchar', repeats: 'none' }];
