import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resolveDatabricksSettings } from '../../../src/backends/databricks/databricks-config.js';
import { DatabricksRestClient } from '../../../src/backends/databricks/rest-client.js';
import { createTokenSource } from '../../../src/backends/databricks/token-source.js';
import { WarehouseReader } from '../../../src/backends/databricks/warehouse-reader.js';
import { FAKE_HOST, FakeWorkspace } from '../../fakes/databricks/fake-workspace.js';
import { FakeThriftWarehouse } from '../../fakes/databricks/thrift-warehouse.js';

const SETUP = `
CREATE SCHEMA gold;
CREATE TABLE gold.branch_revenue (window_start TIMESTAMP, window_end TIMESTAMP, branch VARCHAR,
  revenue DECIMAL(18,2), orders BIGINT, items BIGINT);
INSERT INTO gold.branch_revenue VALUES
  ('2026-11-20 01:15:00', '2026-11-20 02:15:00', 'Jhamsikhel', 42625.10, 34, 92),
  ('2026-11-20 01:15:00', '2026-11-20 02:15:00', 'Itahari', 1145.00, 1, 3),
  ('2026-11-20 02:15:00', '2026-11-20 03:15:00', 'Jhamsikhel', 0.05, 1, 1);
CREATE TABLE big AS SELECT range AS n FROM range(25000);
`;

const workspace = new FakeWorkspace();
const server = setupServer(...workspace.handlers());
let warehouse: FakeThriftWarehouse;

beforeAll(async () => {
  warehouse = await FakeThriftWarehouse.create({ setupSql: SETUP });
  workspace.addWarehouse('abc123', { sql: warehouse });
  workspace.pats.add('dapi0123456789abcdef0123456789abcdef');
  server.listen({ onUnhandledRequest: 'error' });
});
afterEach(() => {
  Object.assign(warehouse.faults, {
    runningPolls: 0,
    expireSessionOnce: false,
    sqlError: undefined,
    fetchBatchRows: undefined,
  });
});
afterAll(async () => {
  server.close();
  await warehouse.close();
});

function reader(env: Record<string, string> = {}): WarehouseReader {
  const settings = resolveDatabricksSettings({
    env: {
      DATABRICKS_HOST: FAKE_HOST,
      DATABRICKS_TOKEN: 'dapi0123456789abcdef0123456789abcdef',
      DATABRICKS_WAREHOUSE_ID: 'abc123',
      ...env,
    },
    home: '/nonexistent',
  });
  const tokens = createTokenSource({ host: settings.host, credentials: settings.credentials });
  const rest = new DatabricksRestClient({
    host: settings.host,
    tokens,
    credentials: settings.credentials,
    retries: 0,
  });
  return new WarehouseReader({ settings, tokens, rest });
}

describe('WarehouseReader on @databricks/sql against the Thrift fake', () => {
  it('returns exact decimals, numbers and ISO timestamps, with the branch bound as a named parameter', async () => {
    const r = reader();
    try {
      const result = await r.queryWithParams(
        'SELECT window_start, branch, CAST(revenue AS STRING) AS revenue, orders FROM gold.branch_revenue WHERE branch = :branch ORDER BY window_start',
        { branch: 'Jhamsikhel' },
      );
      expect(result.columns).toEqual(['window_start', 'branch', 'revenue', 'orders']);
      expect(result.rows).toEqual([
        ['2026-11-20T01:15:00.000Z', 'Jhamsikhel', '42625.10', 34],
        ['2026-11-20T02:15:00.000Z', 'Jhamsikhel', '0.05', 1],
      ]);
      const last = warehouse.executed.at(-1)!;
      expect(last.parameters).toEqual({ branch: 'Jhamsikhel' });
      expect(last.sql).not.toContain('Jhamsikhel');
    } finally {
      await r.close();
    }
  });

  it('a branch named like an injection matches no row', async () => {
    const r = reader();
    try {
      const result = await r.queryWithParams(
        'SELECT branch FROM gold.branch_revenue WHERE branch = :branch',
        {
          branch: "x' OR '1'='1",
        },
      );
      expect(result.rows).toEqual([]);
    } finally {
      await r.close();
    }
  });

  it('keeps one session for many queries and reopens it once when the warehouse expired it', async () => {
    const r = reader();
    const notices: string[] = [];
    try {
      const before = warehouse.openedSessions;
      await r.query('SELECT 1');
      await r.query('SELECT 2');
      expect(warehouse.openedSessions - before).toBe(1);
      warehouse.faults.expireSessionOnce = true;
      const result = await r.query('SELECT 3 AS n');
      expect(result.rows).toEqual([[3]]);
      expect(warehouse.openedSessions - before).toBe(2);
      void notices;
    } finally {
      await r.close();
    }
  });

  it('reads a large result over many fetches and a slow warehouse', async () => {
    const r = reader();
    try {
      warehouse.faults.fetchBatchRows = 4000;
      warehouse.faults.runningPolls = 2;
      const result = await r.query('SELECT n FROM big ORDER BY n');
      expect(result.rows).toHaveLength(25000);
      expect(result.rows[24999]).toEqual([24999]);
    } finally {
      await r.close();
    }
  });

  it('a SQL error is one line', async () => {
    const r = reader();
    try {
      await expect(r.query('SELECT * FROM gold.nope')).rejects.toThrow(
        /^Databricks SQL: .*TABLE_OR_VIEW_NOT_FOUND/,
      );
    } finally {
      await r.close();
    }
  });
});
