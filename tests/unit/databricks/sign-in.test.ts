import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveDatabricksSettings } from '../../../src/backends/databricks/databricks-config.js';
import { openDatabricksWorkspace } from '../../../src/backends/databricks/workspace.js';
import { describeError } from '../../../src/errors.js';
import { FAKE_HOST, FakeWorkspace, MEDALLION_TASKS } from '../../fakes/databricks/fake-workspace.js';
import { FakeThriftWarehouse } from '../../fakes/databricks/thrift-warehouse.js';

/** Every sign-in method of Databricks unified auth, against the workspace fake (REST and the SQL endpoint). */

const PAT = 'dapi99887766554433221100ffeeddccbbaa';
const workspace = new FakeWorkspace();
const server = setupServer(...workspace.handlers());
let warehouse: FakeThriftWarehouse;
let home: string;

beforeAll(async () => {
  warehouse = await FakeThriftWarehouse.create({
    setupSql: 'CREATE SCHEMA gold; CREATE TABLE gold.t AS SELECT 42 AS n;',
  });
  workspace.addWarehouse('wh1', { sql: warehouse });
  workspace.addJob({ job_id: 7, name: 'brewline-medallion', tasks: MEDALLION_TASKS });
  workspace.pats.add(PAT);
  workspace.oauthClients.set('sp-app-id', 'sp-secret-value');
  workspace.entraApps.set('tenant-1/entra-app', 'entra-secret-value');
  home = mkdtempSync(join(tmpdir(), 'brewline-dbcfg-'));
  server.listen({ onUnhandledRequest: 'error' });
});
beforeEach(() => {
  workspace.requests.length = 0;
  workspace.tokenRequests = 0;
  workspace.entraTokenRequests = 0;
});
afterAll(async () => {
  server.close();
  await warehouse.close();
  rmSync(home, { recursive: true, force: true });
});

const BASE = { DATABRICKS_WAREHOUSE_ID: 'wh1', DATABRICKS_CONFIG_FILE: '/nonexistent/.databrickscfg' };

/** Signs in with `env`, lists the job by name (REST) and reads a row through the SQL warehouse (Thrift). */
async function signInAndUse(env: Record<string, string>): Promise<{ auth: Set<string>; value: unknown }> {
  const ws = openDatabricksWorkspace({ env: { ...BASE, ...env }, home, retries: 0 });
  const jobId = await ws.jobs.jobIdByName('brewline-medallion');
  expect(jobId).toBe(7);
  const reader = ws.reader();
  try {
    const { rows } = await reader.query('SELECT n FROM gold.t');
    return { auth: new Set(workspace.requests.map((r) => r.auth)), value: rows[0]?.[0] };
  } finally {
    await reader.close();
  }
}

describe('signing in to Databricks', () => {
  it('a personal access token (DATABRICKS_HOST + DATABRICKS_TOKEN)', async () => {
    const { auth, value } = await signInAndUse({ DATABRICKS_HOST: FAKE_HOST, DATABRICKS_TOKEN: PAT });
    expect(value).toBe(42);
    expect(auth).toEqual(new Set(['pat']));
  });

  it('OAuth machine-to-machine: client credentials at /oidc/v1/token, one JWT reused for REST and SQL', async () => {
    const { auth, value } = await signInAndUse({
      DATABRICKS_HOST: FAKE_HOST,
      DATABRICKS_CLIENT_ID: 'sp-app-id',
      DATABRICKS_CLIENT_SECRET: 'sp-secret-value',
    });
    expect(value).toBe(42);
    expect(auth).toEqual(new Set(['oauth']));
    expect(workspace.tokenRequests).toBe(1);
  });

  it('Microsoft Entra ID through DefaultAzureCredential, for the AzureDatabricks resource', async () => {
    const saved = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'].map(
      (k) => [k, process.env[k]] as const,
    );
    Object.assign(process.env, {
      AZURE_TENANT_ID: 'tenant-1',
      AZURE_CLIENT_ID: 'entra-app',
      AZURE_CLIENT_SECRET: 'entra-secret-value',
    });
    try {
      // An azuredatabricks.net host with no Databricks token or client secret: Entra ID is the method.
      const { auth, value } = await signInAndUse({ DATABRICKS_HOST: FAKE_HOST });
      expect(value).toBe(42);
      expect(auth).toEqual(new Set(['entra']));
      expect(workspace.entraTokenRequests).toBe(1);
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a ~/.databrickscfg profile chosen by DATABRICKS_CONFIG_PROFILE, with the warehouse in it', async () => {
    const file = join(home, '.databrickscfg');
    writeFileSync(
      file,
      `[DEFAULT]\nhost = https://adb-0000000000000000.0.azuredatabricks.net\ntoken = dapi-not-this-one\n\n` +
        `[staging]\nhost = ${FAKE_HOST}\nclient_id = sp-app-id\nclient_secret = sp-secret-value\nwarehouse_id = wh1\n`,
    );
    const ws = openDatabricksWorkspace({
      env: { DATABRICKS_CONFIG_FILE: file, DATABRICKS_CONFIG_PROFILE: 'staging' },
      retries: 0,
    });
    expect(ws.settings.origin).toBe(`profile staging in ${file}`);
    expect(ws.settings.warehouseId).toBe('wh1');
    expect(ws.tokens.method).toBe('OAuth service principal sp-app-id');
    expect(await ws.jobs.jobIdByName('brewline-medallion')).toBe(7);
    expect(workspace.requests.map((r) => r.auth)).toEqual(['oauth']);
  });
});

describe('unified auth settings', () => {
  const cfg = (text: string): string => {
    const file = join(home, `cfg-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, text);
    return file;
  };

  it('environment variables override the profile; --profile overrides DATABRICKS_CONFIG_PROFILE', () => {
    const file = cfg(
      `[a]\nhost = https://a.azuredatabricks.net\ntoken = ta\n[b]\nhost = https://b.azuredatabricks.net\ntoken = tb\n`,
    );
    const s = resolveDatabricksSettings({
      env: { DATABRICKS_CONFIG_FILE: file, DATABRICKS_CONFIG_PROFILE: 'a', DATABRICKS_TOKEN: 'from-env' },
      profile: 'b',
    });
    expect(s.host).toBe('https://b.azuredatabricks.net');
    expect(s.credentials).toEqual({ kind: 'pat', token: 'from-env' });
  });

  it('the warehouse by id or by HTTP path', () => {
    const env = {
      DATABRICKS_HOST: 'adb-1.2.azuredatabricks.net',
      DATABRICKS_TOKEN: 't',
      DATABRICKS_CONFIG_FILE: '/x',
    };
    expect(resolveDatabricksSettings({ env: { ...env, DATABRICKS_WAREHOUSE_ID: 'abc' } })).toMatchObject({
      host: 'https://adb-1.2.azuredatabricks.net',
      warehouseId: 'abc',
      httpPath: '/sql/1.0/warehouses/abc',
    });
    expect(
      resolveDatabricksSettings({ env: { ...env, DATABRICKS_HTTP_PATH: '/sql/1.0/warehouses/def' } }),
    ).toMatchObject({
      warehouseId: 'def',
      httpPath: '/sql/1.0/warehouses/def',
    });
  });

  it('refuses plain HTTP, a missing profile and a missing host with one line each', () => {
    const line = (fn: () => unknown): string => {
      try {
        fn();
      } catch (error) {
        return describeError(error).message;
      }
      return 'no error';
    };
    expect(
      line(() => resolveDatabricksSettings({ env: { DATABRICKS_HOST: 'http://x', DATABRICKS_TOKEN: 't' } })),
    ).toMatch(/is not HTTPS/);
    expect(
      line(() => resolveDatabricksSettings({ env: { DATABRICKS_CONFIG_FILE: '/nope' }, profile: 'prod' })),
    ).toMatch(
      /no profile \[prod\] in \/nope\n {2}hint: create it with `databricks auth login --profile NAME`/,
    );
    expect(line(() => resolveDatabricksSettings({ env: { DATABRICKS_CONFIG_FILE: '/nope' } }))).toMatch(
      /no Databricks workspace configured\n {2}hint: set DATABRICKS_HOST/,
    );
  });
});

describe('the error lines', () => {
  async function failure(env: Record<string, string>, wait = {}): Promise<string> {
    const ws = openDatabricksWorkspace({ env: { ...BASE, ...env }, home, retries: 0, warehouseWait: wait });
    const reader = ws.reader();
    try {
      await reader.query('SELECT 1');
      return 'no error';
    } catch (error) {
      return describeError(error).message;
    } finally {
      await reader.close();
    }
  }

  it('a refused PAT, a refused OAuth secret and a refused Entra secret say what to do, never the secret', async () => {
    const pat = await failure({
      DATABRICKS_HOST: FAKE_HOST,
      DATABRICKS_TOKEN: 'dapi00000000000000000000000000000000',
    });
    expect(pat).toBe(
      `brewline: Databricks refused the token for ${FAKE_HOST} (HTTP 401): create a new personal access token (User settings → Developer → Access tokens) and set DATABRICKS_TOKEN`,
    );
    const oauth = await failure({
      DATABRICKS_HOST: FAKE_HOST,
      DATABRICKS_CLIENT_ID: 'sp-app-id',
      DATABRICKS_CLIENT_SECRET: 'wrong-secret',
    });
    expect(oauth).toMatch(
      /^brewline: Databricks refused the OAuth client credentials of sp-app-id \(HTTP 401\): check DATABRICKS_CLIENT_ID/,
    );
    expect(oauth).not.toContain('wrong-secret');
    expect(oauth.split('\n')).toHaveLength(1);
    const saved = ['AZURE_TENANT_ID', 'AZURE_CLIENT_ID', 'AZURE_CLIENT_SECRET'].map(
      (k) => [k, process.env[k]] as const,
    );
    Object.assign(process.env, {
      AZURE_TENANT_ID: 'tenant-1',
      AZURE_CLIENT_ID: 'entra-app',
      AZURE_CLIENT_SECRET: 'not-the-secret',
    });
    try {
      const entra = await failure({ DATABRICKS_HOST: FAKE_HOST });
      expect(entra).toMatch(
        /^brewline: Microsoft Entra ID gave no token for Azure Databricks: .*\n {2}hint: sign in with `az login`/,
      );
      expect(entra).not.toContain('not-the-secret');
    } finally {
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('a stopped warehouse is started and waited for, with one line saying so', async () => {
    workspace.addWarehouse('cold', {
      name: 'Serverless Starter',
      state: 'STOPPED',
      startingPolls: 2,
      sql: warehouse,
    });
    const notices: string[] = [];
    const ws = openDatabricksWorkspace({
      env: { ...BASE, DATABRICKS_HOST: FAKE_HOST, DATABRICKS_TOKEN: PAT, DATABRICKS_WAREHOUSE_ID: 'cold' },
      retries: 0,
      notice: (line) => notices.push(line),
      warehouseWait: { pollMs: 1 },
    });
    const reader = ws.reader();
    try {
      expect((await reader.query('SELECT n FROM gold.t')).rows).toEqual([[42]]);
    } finally {
      await reader.close();
    }
    expect(notices).toEqual([
      'SQL warehouse Serverless Starter (cold) is starting (was STOPPED): waiting up to 300 s for it; a serverless warehouse takes seconds, a classic one a few minutes',
    ]);
    expect(workspace.requests.some((r) => r.path === '/api/2.0/sql/warehouses/cold/start')).toBe(true);
  });

  it('a warehouse that stays STARTING ends with one line saying what to check', async () => {
    workspace.addWarehouse('slow', {
      name: 'Classic',
      state: 'STARTING',
      startingPolls: 1_000_000,
      sql: warehouse,
    });
    const line = await failure(
      { DATABRICKS_HOST: FAKE_HOST, DATABRICKS_TOKEN: PAT, DATABRICKS_WAREHOUSE_ID: 'slow' },
      { pollMs: 1, timeoutMs: 20 },
    );
    expect(line).toBe(
      'brewline: SQL warehouse Classic (slow) is still STARTING after 0 s: check it in SQL Warehouses (Monitoring), then run the command again',
    );
  });

  it('a session the warehouse keeps expiring is one line', async () => {
    const ws = openDatabricksWorkspace({
      env: { ...BASE, DATABRICKS_HOST: FAKE_HOST, DATABRICKS_TOKEN: PAT },
      retries: 0,
    });
    const reader = ws.reader();
    try {
      await reader.query('SELECT 1');
      // The session expires, and so does the fresh one brewline opens for the retry.
      warehouse.faults.expireNextStatements = 2;
      let line = 'no error';
      try {
        await reader.query('SELECT 2');
      } catch (error) {
        line = describeError(error).message;
      }
      expect(line).toBe(
        "brewline: the SQL warehouse wh1 expired brewline's new session at once: check that it is running (SQL Warehouses → Monitoring), then run the command again",
      );
    } finally {
      warehouse.faults.expireNextStatements = 0;
      await reader.close();
    }
  });
});
