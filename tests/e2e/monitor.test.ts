import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `brewline pipeline run --status-port` in one process, `brewline monitor` in another: the monitor shows
 * the same gold numbers the pipeline's lakehouse holds, and only reads.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin/brewline.js');
let dir: string;
let pipeline: ChildProcess | undefined;
let pipelineErr = '';

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BREWLINE_')) out[k] = v;
  return out;
}

function cli(args: readonly string[], timeoutMs = 60_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: env(),
    encoding: 'utf8',
    timeout: timeoutMs,
  });
}

async function until<T>(probe: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}; pipeline stderr:\n${pipelineErr}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface GoldJson {
  revenue: string;
  orders: number;
  branches: { branch: string; revenue: string; orders: number }[];
}

beforeAll(() => {
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
  if (!existsSync(join(REPO, 'dist/src/cli.js'))) throw new Error('build produced no dist/src/cli.js');
  dir = mkdtempSync(join(tmpdir(), 'brewline-monitor-'));
  const made = cli([
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
    '11',
    '--start',
    '2026-01-01T07:00',
    '--faults',
    'malformed=0.01,duplicate=0.01',
  ]);
  if (made.status !== 0) throw new Error(`simulate failed: ${made.stderr}`);
});

afterAll(async () => {
  if (pipeline && pipeline.exitCode === null) {
    pipeline.kill('SIGKILL');
    await new Promise((r) => pipeline!.once('exit', r));
  }
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('brewline monitor attached to brewline pipeline run', () => {
  it('shows the same gold numbers the pipeline wrote, over the read-only status endpoint', async () => {
    // Given a pipeline serving its status on a free loopback port
    pipeline = spawn(
      process.execPath,
      [
        BIN,
        'pipeline',
        'run',
        '--source',
        'file:orders.ndjson',
        '--lakehouse',
        'lh.duckdb',
        '--checkpoint',
        'cp',
        '--trigger',
        '200ms',
        '--status-port',
        '0',
      ],
      { cwd: dir, env: env(), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    pipeline.stderr!.setEncoding('utf8');
    pipeline.stderr!.on('data', (chunk: string) => (pipelineErr += chunk));
    const url = await until(
      () => /status endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(pipelineErr)?.[1],
      20_000,
      'the status endpoint',
    );
    await until(
      () => (/idle: no new data/.test(pipelineErr) ? true : undefined),
      30_000,
      'the pipeline to catch up',
    );

    // When the monitor reads it as JSON lines for a few seconds
    const monitor = cli([
      'monitor',
      '--url',
      url,
      '--json',
      '--duration',
      '2s',
      '--report-interval',
      '500ms',
    ]);
    expect(monitor.status).toBe(0);
    const lines = monitor.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            type: string;
            mode: string;
            gold: GoldJson;
            stream: { verdict: string; totalLag: number; engineStatus: string };
          },
      );
    const summary = lines.at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary.mode).toBe('monitor');
    expect(summary.stream.totalLag).toBe(0);
    expect(summary.stream.verdict).toBe('OK');

    // The endpoint refuses writes, and serves Prometheus text
    const post = await fetch(`${url}/api/stream`, { method: 'POST' });
    expect(post.status).toBe(405);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain(`brewline_gold_revenue_npr ${summary.gold.revenue}`);

    // Then, once the pipeline has stopped, `brewline query` on its lakehouse reads the same gold numbers
    pipeline.kill('SIGINT');
    const code = await new Promise<number | null>((r) => pipeline!.once('exit', r));
    expect(code).toBe(0);
    const totals = cli([
      'query',
      '--json',
      '--lakehouse',
      'lh.duckdb',
      'SELECT CAST(SUM(revenue) AS VARCHAR) AS revenue, CAST(SUM(orders) AS BIGINT) AS orders FROM gold.branch_revenue',
    ]);
    expect(totals.status).toBe(0);
    const row = JSON.parse(totals.stdout.trim()) as { revenue: string; orders: number };
    expect(summary.gold.revenue).toBe(row.revenue);
    expect(summary.gold.orders).toBe(Number(row.orders));
    const byBranch = cli([
      'query',
      '--json',
      '--lakehouse',
      'lh.duckdb',
      'SELECT branch, CAST(SUM(revenue) AS VARCHAR) AS revenue, CAST(SUM(orders) AS BIGINT) AS orders FROM gold.branch_revenue GROUP BY branch ORDER BY SUM(revenue) DESC, branch LIMIT 10',
    ]);
    const expected = byBranch.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { branch: string; revenue: string; orders: number });
    expect(
      summary.gold.branches.map((b) => ({ branch: b.branch, revenue: b.revenue, orders: b.orders })),
    ).toEqual(expected.map((b) => ({ ...b, orders: Number(b.orders) })));
  });

  it('fails with one clear line when nothing listens at the URL', () => {
    const run = cli(['monitor', '--url', 'http://127.0.0.1:9', '--plain', '--duration', '1s']);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot reach the status endpoint at http://127.0.0.1:9');
    expect(run.stderr).toContain('hint: start the pipeline with `brewline pipeline run --status-port PORT`');
    const noUrl = cli(['monitor', '--plain']);
    expect(noUrl.status).toBe(2);
    expect(noUrl.stderr).toContain('monitor needs the status endpoint');
  });
});
