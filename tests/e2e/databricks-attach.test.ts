import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/domain/clock.js';
import { openLakehouseReader } from '../../src/backends/lakehouse-readers.js';
import { WarehouseFeed } from '../../src/monitor/warehouse-feed.js';
import { removeTempDir, runCli, tempDir } from '../helpers/cli.js';
import { FAKE_HOST, FakeWorkspace } from '../fakes/databricks/fake-workspace.js';
import { FakeThriftWarehouse } from '../fakes/databricks/thrift-warehouse.js';
import { EventHubsTestServer } from '../fakes/eventhubs-server.js';
import { runBrewline } from '../fakes/databricks/in-process-cli.js';

/**
 * `query`, `verify` and `monitor --lakehouse databricks` against the SQL warehouse fake. The warehouse holds
 * the tables of a real pipeline run (simulate → embedded engine → DuckDB, served read-only through the
 * Thrift processor), so every number on the brewline side can be checked against what the fake holds.
 */

const PAT = 'dapi00112233445566778899aabbccddeeff';
const workspace = new FakeWorkspace();
const server = setupServer(...workspace.handlers());
let dir: string;
let warehouse: FakeThriftWarehouse;
const ENV = {
  DATABRICKS_HOST: FAKE_HOST,
  DATABRICKS_TOKEN: PAT,
  DATABRICKS_WAREHOUSE_ID: 'wh42',
  DATABRICKS_CONFIG_FILE: '/nonexistent/.databrickscfg',
  DATABRICKS_CONFIG_PROFILE: undefined,
  BREWLINE_LAKEHOUSE: undefined,
};

beforeAll(async () => {
  dir = tempDir('databricks-attach');
  const sim = runCli(
    [
      'simulate',
      '--sink',
      'file',
      '--out',
      'orders.ndjson',
      '--orders',
      '4000',
      '--speed',
      'max',
      '--seed',
      '5',
      '--faults',
      'duplicate=0.01,malformed=0.01,invalid=0.01,late=0.02',
      '--ledger',
      'ledger.json',
    ],
    { cwd: dir },
  );
  expect(sim.status, sim.stderr).toBe(0);
  const run = runCli(
    [
      'pipeline',
      'run',
      '--source',
      'file:orders.ndjson',
      '--available-now',
      '--lakehouse',
      'lake.duckdb',
      '--checkpoint',
      'ckpt',
      '--max-records-per-batch',
      '1000',
    ],
    { cwd: dir },
  );
  expect(run.status, run.stderr).toBe(0);
  warehouse = await FakeThriftWarehouse.create({ duckdbPath: join(dir, 'lake.duckdb') });
  workspace.pats.add(PAT);
  workspace.addWarehouse('wh42', { sql: warehouse });
  server.listen({ onUnhandledRequest: 'error' });
}, 180_000);

afterAll(async () => {
  server.close();
  await warehouse?.close();
  removeTempDir(dir);
});

describe('the LakehouseReader seam', () => {
  it('gives the same JSON-safe rows from the SQL warehouse as from the DuckDB file itself', async () => {
    const sql = `SELECT window_start, window_end, branch, revenue, orders, items FROM gold.branch_revenue
      ORDER BY window_start, branch LIMIT 200`;
    const local = await openLakehouseReader(join(dir, 'lake.duckdb'));
    let expected;
    try {
      expected = await local.query(sql);
    } finally {
      await local.close();
    }
    const keys = [
      'DATABRICKS_HOST',
      'DATABRICKS_TOKEN',
      'DATABRICKS_WAREHOUSE_ID',
      'DATABRICKS_CONFIG_FILE',
    ] as const;
    const saved = keys.map((k) => [k, process.env[k]] as const);
    Object.assign(process.env, {
      DATABRICKS_HOST: FAKE_HOST,
      DATABRICKS_TOKEN: PAT,
      DATABRICKS_WAREHOUSE_ID: 'wh42',
      DATABRICKS_CONFIG_FILE: '/x',
    });
    const remote = await openLakehouseReader('databricks');
    try {
      const actual = await remote.query(sql);
      expect(actual.columns).toEqual(expected.columns);
      expect(actual.rows).toEqual(expected.rows);
      expect(actual.rows[0]?.[3]).toMatch(/^\d+\.\d{2}$/);
    } finally {
      await remote.close();
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });
});

describe('brewline query --lakehouse databricks', () => {
  it('shows the numbers the warehouse holds, exactly', async () => {
    const sql =
      'SELECT branch, CAST(SUM(revenue) AS STRING) AS revenue, SUM(orders) AS orders FROM gold.branch_revenue GROUP BY branch ORDER BY branch';
    const { status, stdout, stderr } = await runBrewline(
      ['query', '--lakehouse', 'databricks', '--json', sql],
      ENV,
    );
    expect(status, stderr).toBe(0);
    const rows = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { branch: string; revenue: string; orders: number });
    const held = await warehouse.direct(sql);
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.map((r) => [r.branch, r.revenue, r.orders])).toEqual(held);
  });

  it('binds --param values: a branch named like an injection shows no other branch', async () => {
    const sql = 'SELECT DISTINCT branch FROM gold.branch_revenue WHERE branch = :branch';
    const injected = await runBrewline(
      ['query', '--lakehouse', 'databricks', '--json', sql, '--param', "branch=x' OR '1'='1"],
      ENV,
    );
    expect(injected.status, injected.stderr).toBe(0);
    expect(injected.stdout).toBe('');
    const one = await runBrewline(
      ['query', '--lakehouse', 'databricks', '--json', sql, '--param', 'branch=Jhamsikhel'],
      ENV,
    );
    expect(one.stdout.trim()).toBe('{"branch":"Jhamsikhel"}');
    expect(warehouse.executed.at(-1)?.parameters).toEqual({ branch: 'Jhamsikhel' });
  });

  it('an unknown warehouse is one line saying what to set', async () => {
    const { status, stderr } = await runBrewline(['query', '--lakehouse', 'databricks', 'SELECT 1'], {
      ...ENV,
      DATABRICKS_WAREHOUSE_ID: 'nope0000',
    });
    expect(status).toBe(2);
    expect(stderr.trim()).toBe(
      `brewline: no SQL warehouse nope0000 in ${FAKE_HOST}: set DATABRICKS_WAREHOUSE_ID (or DATABRICKS_HTTP_PATH) to an id from SQL Warehouses → Connection details`,
    );
  });
});

describe('brewline verify --lakehouse databricks', () => {
  it('finds no difference between the warehouse and the ledger', async () => {
    const { status, stdout, stderr } = await runBrewline(
      ['verify', '--lakehouse', 'databricks', '--ledger', join(dir, 'ledger.json'), '--json'],
      ENV,
    );
    expect(status, stdout + stderr).toBe(0);
    const report = JSON.parse(stdout) as { differences: unknown[]; checks: { name: string }[] };
    expect(report.differences).toEqual([]);
    // Every statement it sent bound the query name instead of splicing it in.
    const progress = warehouse.executed.filter((e) => e.sql.includes('ops.stream_progress'));
    expect(progress.length).toBeGreaterThan(0);
    for (const e of progress) expect(e.parameters).toEqual({ query_name: 'orders' });
  });
});

describe('brewline verify --lakehouse databricks on a warehouse that lost a sale', () => {
  it('reports the difference and exits 1', async () => {
    copyFileSync(join(dir, 'lake.duckdb'), join(dir, 'tampered.duckdb'));
    const tampered = await FakeThriftWarehouse.create({
      duckdbPath: join(dir, 'tampered.duckdb'),
      writable: true,
      setupSql:
        "UPDATE gold.branch_revenue SET revenue = revenue - 185 WHERE branch = 'Jhamsikhel' AND window_start = (SELECT min(window_start) FROM gold.branch_revenue WHERE branch = 'Jhamsikhel')",
    });
    workspace.addWarehouse('tampered', { sql: tampered });
    try {
      const { status, stdout } = await runBrewline(
        ['verify', '--lakehouse', 'databricks', '--ledger', join(dir, 'ledger.json'), '--json'],
        { ...ENV, DATABRICKS_WAREHOUSE_ID: 'tampered' },
      );
      expect(status).toBe(1);
      const report = JSON.parse(stdout) as { differences: unknown[] };
      expect(report.differences.length).toBeGreaterThan(0);
      expect(JSON.stringify(report.differences)).toContain('Jhamsikhel');
    } finally {
      await tampered.close();
    }
  });
});

describe('the monitor on the warehouse', () => {
  it('reads gold and stream health as the warehouse holds them', async () => {
    const keys = [
      'DATABRICKS_HOST',
      'DATABRICKS_TOKEN',
      'DATABRICKS_WAREHOUSE_ID',
      'DATABRICKS_CONFIG_FILE',
    ] as const;
    const saved = keys.map((k) => [k, process.env[k]] as const);
    Object.assign(process.env, {
      DATABRICKS_HOST: FAKE_HOST,
      DATABRICKS_TOKEN: PAT,
      DATABRICKS_WAREHOUSE_ID: 'wh42',
      DATABRICKS_CONFIG_FILE: '/nonexistent/.databrickscfg',
    });
    const feed = new WarehouseFeed({
      reader: await openLakehouseReader('databricks'),
      queryName: 'orders',
      clock: systemClock,
    });
    try {
      const gold = await feed.readGold(null);
      const [[revenue, orders]] = (await warehouse.direct(
        'SELECT CAST(SUM(revenue) AS VARCHAR), SUM(orders) FROM gold.branch_revenue',
      )) as [[string, number]];
      expect((gold.totals.revenue / 100).toFixed(2)).toBe(revenue);
      expect(gold.totals.orders).toBe(orders);
      const stream = await feed.readStream();
      const [[batches, rows]] = (await warehouse.direct(
        "SELECT count(*), sum(num_input_rows) FROM ops.stream_progress WHERE query_name = 'orders'",
      )) as [[number, number]];
      expect(stream.engine?.totals.batches).toBe(batches);
      expect(stream.engine?.totals.inputRows).toBe(rows);
      expect(stream.engine?.lastProgress?.batchId).toBe(batches - 1);
      expect(stream.partitions.length).toBeGreaterThan(0);

      const injected = await feed.readGold("x' OR '1'='1");
      expect(injected.branches).toEqual([]);
      expect(injected.products).toEqual([]);
      expect(injected.hourly).toEqual([]);
      const one = await feed.readGold('Jhamsikhel');
      const [[jRevenue]] = (await warehouse.direct(
        "SELECT CAST(SUM(revenue) AS VARCHAR) FROM gold.branch_revenue WHERE branch = 'Jhamsikhel'",
      )) as [[string]];
      expect(one.branches.map((b) => b.branch)).toEqual(['Jhamsikhel']);
      expect((one.totals.revenue / 100).toFixed(2)).toBe(jRevenue);
      expect(one.hourly.reduce((s, h) => s + h.revenue, 0)).toBe(one.totals.revenue);
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      await feed.close();
    }
  });

  it('brewline monitor --lakehouse databricks --json prints the warehouse totals', async () => {
    const { status, stdout, stderr } = await runBrewline(
      ['monitor', '--lakehouse', 'databricks', '--json', '--duration', '300ms', '--report-interval', '100ms'],
      ENV,
    );
    expect(status, stderr).toBe(0);
    const summary = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .at(-1)!;
    const [[revenue]] = (await warehouse.direct(
      'SELECT CAST(SUM(revenue) AS VARCHAR) FROM gold.branch_revenue',
    )) as [[string]];
    expect(summary['type']).toBe('summary');
    expect((summary['gold'] as { revenue: string }).revenue).toBe(revenue);
  });
});

describe('brewline demo --source eventhubs --lakehouse databricks', () => {
  it('drives load into the hub while showing the Databricks pipeline from the warehouse', async () => {
    const hub = await EventHubsTestServer.start({ hubs: { orders: 4 } });
    try {
      const { status, stdout, stderr } = await runBrewline(
        [
          'demo',
          '--source',
          'eventhubs',
          '--lakehouse',
          'databricks',
          '--json',
          '--rate',
          '200',
          '--duration',
          '5s',
          '--report-interval',
          '500ms',
        ],
        // Real time is the demo's own clock (--duration); a loaded machine needs seconds to open the hub's link.
        { ...ENV, EVENTHUB_CONNECTION_STRING: hub.connectionString('orders') },
      );
      expect(status, stderr).toBe(0);
      const summary = stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .at(-1)!;
      expect(summary['type']).toBe('summary');
      // The gold it shows is the warehouse's.
      const [[revenue]] = (await warehouse.direct(
        'SELECT CAST(SUM(revenue) AS VARCHAR) FROM gold.branch_revenue',
      )) as [[string]];
      expect((summary['gold'] as { revenue: string }).revenue).toBe(revenue);
      // The load went into the hub, and the lag is the hub's, read fresh by brewline.
      const load = summary['load'] as { acked: number };
      expect(load.acked).toBeGreaterThan(0);
      const stream = summary['stream'] as { partitions: { latest: number }[] };
      expect(stream.partitions).toHaveLength(4);
      expect(stream.partitions.reduce((n, p) => n + p.latest, 0)).toBeGreaterThan(0);
    } finally {
      await hub.stop();
    }
  });
});
