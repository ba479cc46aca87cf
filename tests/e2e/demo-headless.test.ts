import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonLines, removeTempDir, runCli, tempDir } from '../helpers/cli.js';

/** `brewline demo` without a terminal: readable lines or JSON lines, and numbers `brewline query` agrees with. */
const ESC = String.fromCharCode(27);
let dir: string;

// stdout is a pipe here, as in `brewline demo | cat`.
const cli = (args: readonly string[]) => runCli(args, { cwd: dir, timeoutMs: 60_000 });

beforeAll(() => {
  dir = tempDir('demo-headless');
});

afterAll(() => removeTempDir(dir));

describe('brewline demo without a terminal', () => {
  it('prints readable periodic lines with no escape codes when piped, then a summary', () => {
    const run = cli(['demo', '--duration', '4s', '--report-interval', '1s']);
    expect(run.status).toBe(0);
    expect(run.stdout).not.toContain(ESC);
    const lines = run.stdout.trim().split('\n');
    const status = lines.filter((l) => / NPT (OK|WARN|STALL|STOP|REWIND|--) \| /.test(l));
    expect(status.length).toBeGreaterThanOrEqual(3);
    expect(status.at(-1)).toMatch(/sim clock 2026-01-01 \d\d:\d\d:\d\d NPT/);
    expect(status.at(-1)).toMatch(/gold NPR [\d,]+\.\d\d [\d,]+ orders/);
    expect(run.stdout).toMatch(/^summary: verdict \w+, [\d,]+ batches/m);
    expect(run.stdout).toContain('check it: brewline query');
  });

  it('prints JSON lines whose gold numbers are exactly what `brewline query` reads from the lakehouse', () => {
    const lakehouse = join(dir, 'json-demo.duckdb');
    const run = cli([
      'demo',
      '--json',
      '--duration',
      '4s',
      '--report-interval',
      '1s',
      '--lakehouse',
      lakehouse,
      '--seed',
      '9',
    ]);
    expect(run.status).toBe(0);
    const objects = jsonLines<{
      type: string;
      gold: {
        revenue: string;
        orders: number;
        branches: { branch: string; revenue: string; orders: number }[];
      };
    }>(run.stdout);
    expect(objects.filter((o) => o.type === 'status').length).toBeGreaterThanOrEqual(2);
    const summary = objects.at(-1)!;
    expect(summary.type).toBe('summary');
    expect(summary.gold.orders).toBeGreaterThan(0);

    const totals = cli([
      'query',
      '--json',
      '--lakehouse',
      lakehouse,
      'SELECT CAST(SUM(revenue) AS VARCHAR) AS revenue, CAST(SUM(orders) AS BIGINT) AS orders FROM gold.branch_revenue',
    ]);
    expect(totals.status).toBe(0);
    const row = JSON.parse(totals.stdout.trim()) as { revenue: string; orders: number };
    expect(summary.gold.revenue).toBe(row.revenue);
    expect(summary.gold.orders).toBe(Number(row.orders));

    const top = summary.gold.branches[0]!;
    const branch = cli([
      'query',
      '--json',
      '--lakehouse',
      lakehouse,
      `SELECT CAST(SUM(revenue) AS VARCHAR) AS revenue, CAST(SUM(orders) AS BIGINT) AS orders FROM gold.branch_revenue WHERE branch = '${top.branch.replaceAll("'", "''")}'`,
    ]);
    expect(JSON.parse(branch.stdout.trim())).toEqual({ revenue: top.revenue, orders: top.orders });
  });

  it('never replaces a lakehouse it did not make, and rejects bad flags with exit code 2', () => {
    const precious = join(dir, 'precious.duckdb');
    writeFileSync(precious, 'not the demo’s');
    const refused = cli(['demo', '--duration', '1s', '--lakehouse', precious]);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('was not made by `brewline demo`');
    expect(existsSync(precious)).toBe(true);

    // A lakehouse a running demo uses (its marker names a live pid: this test's) is left alone too
    const busy = join(dir, 'busy.duckdb');
    writeFileSync(busy, '');
    writeFileSync(`${busy}.demo`, `made by \`brewline demo\` (pid ${process.pid})\n`);
    const taken = cli(['demo', '--duration', '1s', '--lakehouse', busy]);
    expect(taken.status).toBe(2);
    expect(taken.stderr).toContain(`another brewline demo (pid ${process.pid}) is using`);

    const badDuration = cli(['demo', '--duration', 'soon']);
    expect(badDuration.status).toBe(2);
    expect(badDuration.stderr).toContain('--duration');
    const badRate = cli(['demo', '--rate', '-5', '--duration', '1s']);
    expect(badRate.status).toBe(2);
    expect(badRate.stderr).toContain('rate');
    const both = cli(['demo', '--plain', '--json']);
    expect(both.status).toBe(2);
  });
});
