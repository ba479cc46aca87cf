import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabricksWorkspace } from '../../../src/backends/databricks/workspace.js';
import type { RunSnapshot } from '../../../src/backends/databricks/run-follower.js';
import { VirtualClock } from '../../../src/domain/clock.js';
import { WarehouseFeed } from '../../../src/monitor/warehouse-feed.js';
import { readWarehouseFacts } from '../../../src/verify/warehouse-facts.js';
import { runPanelLines } from '../../../src/tui/run-panel-lines.js';
import { FAKE_HOST, FakeWorkspace } from '../../fakes/databricks/fake-workspace.js';
import { FakeThriftWarehouse } from '../../fakes/databricks/thrift-warehouse.js';

/** The monitor and verify on what the bundle's Spark jobs write: queries named bronze/silver/gold, Kafka offsets. */
const SOURCES = (end: number, latest: number): string =>
  JSON.stringify([
    {
      description: 'KafkaV2[Subscribe[orders]]',
      startOffset: { '0': 0, '1': 0 },
      endOffset: { '0': end, '1': end + 1 },
      latestOffset: { '0': latest, '1': latest + 1 },
      numInputRows: 2 * end,
      metrics: { avgOffsetsBehindLatest: '0.0' },
    },
  ]);
const SETUP = `
CREATE SCHEMA ops; CREATE SCHEMA silver; CREATE SCHEMA bronze; CREATE SCHEMA gold;
CREATE TABLE ops.stream_progress (query_name VARCHAR, batch_id BIGINT, "timestamp" TIMESTAMP, num_input_rows BIGINT,
  input_rows_per_second DOUBLE, processed_rows_per_second DOUBLE, duration_ms VARCHAR, event_time_min TIMESTAMP,
  event_time_max TIMESTAMP, watermark TIMESTAMP, num_rows_dropped_by_watermark BIGINT, state_rows BIGINT,
  sources VARCHAR, state_operators VARCHAR, query_id VARCHAR, run_id VARCHAR);
INSERT INTO ops.stream_progress VALUES
  ('bronze', 0, '2026-11-20 01:00:00', 20, 10.0, 20.0, '{"triggerExecution": 1000}', NULL, NULL, '1970-01-01', 0, 0, '${SOURCES(10, 15)}', '[]', 'q1', 'r1'),
  ('bronze', 1, '2026-11-20 01:00:05', 10, 2.0, 9.5, '{"triggerExecution": 1050}', NULL, NULL, '1970-01-01', 0, 0, '${SOURCES(15, 40)}', '[]', 'q1', 'r1'),
  ('gold', 0, '2026-11-20 01:00:07', 30, 6.0, 12.0, '{}', '2026-11-20 00:20:00', '2026-11-20 00:59:00', '2026-11-20 00:49:00', 3, 12, '[]',
   '[{"operatorName":"gold.branch_revenue","numRowsTotal":12,"numRowsUpdated":4,"numRowsRemoved":0,"numRowsDroppedByWatermark":3,"memoryUsedBytes":1024}]', 'q2', 'r2');
CREATE TABLE silver.quarantine (source_partition INT, source_offset BIGINT, value VARCHAR, reason VARCHAR, ingestion_timestamp TIMESTAMP);
INSERT INTO silver.quarantine VALUES (0, 3, 'healthcheck', 'json: not JSON', '2026-11-20 01:00:01');
CREATE TABLE silver.order_items (order_id VARCHAR, event_time TIMESTAMP, branch VARCHAR, item_id VARCHAR, item_name VARCHAR,
  category VARCHAR, quantity INT, line_amount DECIMAL(12,2));
CREATE TABLE bronze.orders_raw (value BLOB);
CREATE TABLE gold.branch_revenue (window_start TIMESTAMP, branch VARCHAR, revenue DECIMAL(18,2), orders BIGINT, items BIGINT);
CREATE TABLE gold.product_popularity (window_start TIMESTAMP, item_id VARCHAR, item_name VARCHAR, category VARCHAR, quantity BIGINT, revenue DECIMAL(18,2), orders BIGINT);
CREATE TABLE gold.hourly_sales (window_start TIMESTAMP, revenue DECIMAL(18,2), orders BIGINT, items BIGINT, avg_order_value DECIMAL(18,2));
`;

const PAT = 'dapiabababababababababababababababab';
const workspace = new FakeWorkspace();
const server = setupServer(...workspace.handlers());
let warehouse: FakeThriftWarehouse;

beforeAll(async () => {
  warehouse = await FakeThriftWarehouse.create({ setupSql: SETUP });
  workspace.addWarehouse('w', { sql: warehouse });
  workspace.pats.add(PAT);
  server.listen({ onUnhandledRequest: 'error' });
});
afterAll(async () => {
  server.close();
  await warehouse.close();
});

const reader = () =>
  openDatabricksWorkspace({
    env: {
      DATABRICKS_HOST: FAKE_HOST,
      DATABRICKS_TOKEN: PAT,
      DATABRICKS_WAREHOUSE_ID: 'w',
      DATABRICKS_CONFIG_FILE: '/x',
    },
  }).reader();

describe('WarehouseFeed on the Spark jobs progress rows', () => {
  it('follows the query that reads the hub when the configured one has no rows, with its offsets', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-20T01:00:35Z'));
    const feed = new WarehouseFeed({ reader: reader(), queryName: 'orders', clock });
    try {
      const reading = await feed.readStream();
      expect(reading.engine?.queryName).toBe('bronze');
      expect(reading.engine?.status).toBe('running');
      expect(reading.engine?.totals).toEqual({
        batches: 2,
        inputRows: 30,
        droppedByWatermark: 0,
        quarantined: 1,
      });
      expect(reading.engine?.recentProgress.map((p) => p.batchId)).toEqual([0, 1]);
      expect(reading.engine?.lastProgress?.durationMs).toEqual({ triggerExecution: 1050 });
      expect(reading.partitions).toEqual([
        { partition: 0, latest: 40, committed: 15, oldestUnprocessedMs: undefined },
        { partition: 1, latest: 41, committed: 16, oldestUnprocessedMs: undefined },
      ]);
      await clock.advance(10 * 60_000);
      expect((await feed.readStream()).engine?.status).toBe('idle');
    } finally {
      await feed.close();
    }
  });

  it('maps a gold row: watermark, event times and state operators', async () => {
    const clock = new VirtualClock(Date.parse('2026-11-20T01:01:00Z'));
    const feed = new WarehouseFeed({ reader: reader(), queryName: 'gold', clock });
    try {
      const last = (await feed.readStream()).engine?.lastProgress;
      expect(last?.eventTime).toEqual({
        min: '2026-11-20T00:20:00.000Z',
        max: '2026-11-20T00:59:00.000Z',
        watermark: '2026-11-20T00:49:00.000Z',
      });
      expect(last?.stateOperators[0]).toMatchObject({
        operatorName: 'gold.branch_revenue',
        numRowsDroppedByWatermark: 3,
      });
    } finally {
      await feed.close();
    }
  });

  it("verify counts the gold query's watermark drops when no query is named orders", async () => {
    const r = reader();
    try {
      const facts = await readWarehouseFacts(r, 'orders');
      expect(facts.progressDroppedRows).toBe(3);
      expect(facts.quarantined).toBe(1);
      expect(facts.droppedLines).toEqual([]);
    } finally {
      await r.close();
    }
  });
});

describe('the run panel', () => {
  it('shows every task with its state and a failed task with its error', () => {
    const snapshot: RunSnapshot = {
      runId: 9001,
      jobId: 101,
      runName: 'brewline-medallion',
      url: `${FAKE_HOST}/#job/101/run/9001`,
      lifeCycleState: 'TERMINATED',
      resultState: 'FAILED',
      stateMessage: '1 of 3 tasks failed',
      atMs: 10_000,
      finished: true,
      tasks: [
        {
          taskKey: 'bronze',
          dependsOn: [],
          lifeCycleState: 'TERMINATED',
          resultState: 'SUCCESS',
          startMs: 0,
          endMs: 65_000,
          attempt: 0,
          error: undefined,
        },
        {
          taskKey: 'silver',
          dependsOn: ['bronze'],
          lifeCycleState: 'TERMINATED',
          resultState: 'FAILED',
          startMs: 65_000,
          endMs: 70_000,
          attempt: 0,
          error: 'AnalysisException: boom\ntrace',
        },
        {
          taskKey: 'gold',
          dependsOn: ['silver'],
          lifeCycleState: 'TERMINATED',
          resultState: 'UPSTREAM_FAILED',
          startMs: undefined,
          endMs: undefined,
          attempt: 0,
          error: undefined,
        },
      ],
    };
    const text = runPanelLines(snapshot, 90, 80_000).map((l) => l.map((s) => s.text).join(''));
    expect(text[0]).toMatch(/^╭─ Databricks run 9001 .*brewline-medallion/);
    expect(text.every((l) => l.length === 90)).toBe(true);
    expect(text.find((l) => l.includes('TERMINATED FAILED'))).toContain('1 of 3 tasks failed');
    expect(text.find((l) => l.includes('silver'))).toMatch(/silver +FAILED .*AnalysisException: boom/);
    expect(text.find((l) => l.includes('gold'))).toMatch(/gold +UPSTREAM_FAILED .*← silver/);
    expect(text.find((l) => l.includes('bronze '))).toMatch(/SUCCESS/);
  });
});
