import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jsonLines,
  removeTempDir,
  runCli,
  spawnCli,
  tempDir,
  waitFor,
  type CliProcess,
} from '../helpers/cli.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';

/**
 * `brewline pipeline run --status-port` in one process, `brewline monitor` in another: the monitor shows
 * the same gold numbers the pipeline's lakehouse holds, and only reads.
 */
let dir: string;
let pipeline: CliProcess | undefined;

const cli = (args: readonly string[]) => runCli(args, { cwd: dir, timeoutMs: 60_000 });

interface GoldJson {
  revenue: string;
  orders: number;
  branches: { branch: string; revenue: string; orders: number }[];
}

beforeAll(() => {
  dir = tempDir('monitor');
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
  await pipeline?.stop();
  removeTempDir(dir);
});

describe('brewline monitor attached to brewline pipeline run', () => {
  it('shows the same gold numbers the pipeline wrote, over the read-only status endpoint', async () => {
    // Given a pipeline serving its status on a free loopback port
    const running = spawnCli(
      [
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
      { cwd: dir },
    );
    pipeline = running;
    const stderr = () => `pipeline stderr:\n${running.stderr}`;
    const url = await waitFor(() => /status endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(running.stderr)?.[1], {
      timeoutMs: 20_000,
      what: 'the status endpoint',
      detail: stderr,
    });
    await waitFor(() => /idle: no new data/.test(running.stderr), {
      timeoutMs: 30_000,
      what: 'the pipeline to catch up',
      detail: stderr,
    });

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
    const lines = jsonLines<{
      type: string;
      mode: string;
      gold: GoldJson;
      stream: { verdict: string; total_lag: number; engine_status: string };
    }>(monitor.stdout);
    const summary = lines.at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary.mode).toBe('monitor');
    expect(summary.stream.total_lag).toBe(0);
    expect(summary.stream.verdict).toBe('OK');

    // The endpoint refuses writes, and serves Prometheus text
    const post = await fetch(`${url}/api/stream`, { method: 'POST' });
    expect(post.status).toBe(405);
    const metrics = await (await fetch(`${url}/metrics`)).text();
    const revenue = parsePrometheusText(metrics).get('brewline_gold_revenue_npr')?.samples[0]?.value;
    expect(revenue).toBe(Number(summary.gold.revenue));

    // Then, once the pipeline has stopped, `brewline query` on its lakehouse reads the same gold numbers
    const { code } = await running.stop('SIGINT');
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
    const expected = jsonLines<{ branch: string; revenue: string; orders: number }>(byBranch.stdout);
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
