import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefaultCatalog } from '../../src/domain/catalog.js';
import type { Ledger } from '../../src/domain/ledger.js';
import { removeTempDir, runCli, spawnCli, tempDir, waitFor } from '../helpers/cli.js';
import { ALL_FAULTS } from '../unit/simulator/fixtures.js';
import { ndjsonLines, recomputeGold } from '../unit/simulator/gold-recompute.js';

const catalog = loadDefaultCatalog();
let dir: string;

beforeAll(() => {
  dir = tempDir('simulate-e2e');
});
afterAll(() => removeTempDir(dir));

const START = ['--start', '2026-01-01T07:00:00+05:45'];

function simulate(args: readonly string[], env: Record<string, string> = {}) {
  return runCli(['simulate', ...START, ...args], { cwd: dir, env, timeoutMs: 60_000 });
}

function readLedger(name: string): Ledger {
  return JSON.parse(readFileSync(join(dir, name), 'utf8')) as Ledger;
}

function expectGoldMatches(file: string, ledger: Ledger): void {
  const lines = ndjsonLines(readFileSync(join(dir, file)));
  const gold = recomputeGold(lines, catalog);
  expect(lines).toHaveLength(ledger.messages.sent);
  expect(ledger.gold.branch_revenue).toEqual(gold.branch_revenue);
  expect(ledger.gold.product_popularity).toEqual(gold.product_popularity);
  expect(ledger.gold.hourly_sales).toEqual(gold.hourly_sales);
  expect(ledger.totals.orders).toBe(gold.validOrders);
  expect(ledger.faults.malformed.count).toBe(gold.notJson);
  expect(ledger.faults.invalid.count).toBe(gold.invalid);
  expect(ledger.faults.duplicate.count).toBe(gold.duplicates);
}

describe('brewline simulate (acceptance)', () => {
  it('given 100k orders with every fault, twice and at another pace and batch size, then files and ledgers are identical and gold matches to the paisa', () => {
    const base = ['--sink', 'file', '--orders', '100000', '--seed', '7', '--faults', ALL_FAULTS];
    const a = simulate([...base, '--out', 'a.ndjson', '--speed', 'max', '--ledger', 'a.json']);
    expect(a.status, a.stderr).toBe(0);
    const b = simulate([...base, '--out', 'b.ndjson', '--speed', 'max', '--ledger', 'b.json']);
    expect(b.status, b.stderr).toBe(0);
    const c = simulate([
      ...base,
      '--out',
      'c.ndjson',
      '--rate',
      '200000',
      '--batch-size',
      '333',
      '--ledger',
      'c.json',
    ]);
    expect(c.status, c.stderr).toBe(0);
    const fileA = readFileSync(join(dir, 'a.ndjson'));
    expect(readFileSync(join(dir, 'b.ndjson')).equals(fileA)).toBe(true);
    expect(readFileSync(join(dir, 'c.ndjson')).equals(fileA)).toBe(true);
    expect(readFileSync(join(dir, 'b.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
    expect(readFileSync(join(dir, 'c.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
    const ledger = readLedger('a.json');
    expect(ledger.complete).toBe(true);
    expect(ledger.messages.sent + ledger.messages.rejected).toBe(100_000);
    expectGoldMatches('a.ndjson', ledger);
    expect(a.stderr).toContain('brewline simulate: finished');
  });

  it('given --shard 0/4 … 3/4, then the union of their lines is the unsharded output as a multiset', () => {
    const base = ['--orders', '20000', '--seed', '3', '--speed', 'max', '--faults', ALL_FAULTS];
    expect(simulate([...base, '--out', 'whole.ndjson']).status).toBe(0);
    const parts: string[] = [];
    for (let i = 0; i < 4; i++) {
      const r = simulate([
        ...base,
        '--out',
        `shard${i}.ndjson`,
        '--shard',
        `${i}/4`,
        '--ledger',
        `shard${i}.json`,
      ]);
      expect(r.status, r.stderr).toBe(0);
      parts.push(...ndjsonLines(readFileSync(join(dir, `shard${i}.ndjson`))));
      expectGoldMatches(`shard${i}.ndjson`, readLedger(`shard${i}.json`));
    }
    expect(parts.sort()).toEqual(ndjsonLines(readFileSync(join(dir, 'whole.ndjson'))).sort());
  });

  it('takes the same settings from environment variables and from a config file', () => {
    const flags = simulate([
      '--out',
      'flags.ndjson',
      '--orders',
      '2000',
      '--seed',
      '11',
      '--speed',
      'max',
      '--branches',
      '5',
    ]);
    expect(flags.status, flags.stderr).toBe(0);
    const env = simulate(['--out', 'env.ndjson'], {
      BREWLINE_ORDERS: '2000',
      BREWLINE_SEED: '11',
      BREWLINE_SPEED: 'max',
      BREWLINE_BRANCHES: '5',
    });
    expect(env.status, env.stderr).toBe(0);
    writeFileSync(
      join(dir, 'cfg.yaml'),
      'simulator:\n  orders: 2000\n  seed: 11\n  speed: max\n  branches: 5\nsink:\n  kind: file\n  path: cfg.ndjson\n',
    );
    const file = runCli(['--config', 'cfg.yaml', 'simulate', ...START], { cwd: dir, timeoutMs: 60_000 });
    expect(file.status, file.stderr).toBe(0);
    const expected = readFileSync(join(dir, 'flags.ndjson'));
    expect(readFileSync(join(dir, 'env.ndjson')).equals(expected)).toBe(true);
    expect(readFileSync(join(dir, 'cfg.ndjson')).equals(expected)).toBe(true);
  });

  it('writes orders to stdout by default and a one-object JSON summary with --json', () => {
    const r = simulate(['--orders', '300', '--speed', 'max', '--json', '--seed', '2']);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout.trim().split('\n');
    expect(out).toHaveLength(300);
    const summary = JSON.parse(r.stderr.trim().split('\n').pop()!) as Record<string, unknown>;
    expect(summary).toMatchObject({
      status: 'finished',
      complete: true,
      seed: 2,
      orders: 300,
      sink: 'stdout',
    });
    const toFile = simulate(['--out', 'j.ndjson', '--orders', '300', '--speed', 'max', '--json']);
    expect(JSON.parse(toFile.stdout)).toMatchObject({
      status: 'finished',
      messages: { sent: 300, rejected: 0 },
    });
  });

  it.each([
    [['--speed', 'fast'], /simulator\.speed.*--speed/],
    [['--faults', 'bogus=0.1'], /simulator\.faults.*bogus/],
    [['--faults', 'late=1.5'], /fraction between 0 and 1/],
    [['--shard', '5/4'], /simulator\.shard/],
    [['--sink', 'file'], /the file sink needs --out PATH/],
    [['--sink', 'pigeon'], /sink/],
    [['--branches', '99'], /--branches 99: the catalog has 65 branches/],
    [['--branches', 'Mars Base'], /unknown branch "Mars Base"/],
    [['--start', 'yesterday'], /simulator\.start/],
    [['--speed', '60', '--rate', '10'], /either speed or rate/],
    [['--no-such-flag'], /unknown option '--no-such-flag'/],
    [['--orders'], /argument missing/],
    [['--catalog', 'missing.yaml'], /catalog file missing\.yaml cannot be read/],
    [['--ledger', 'no/such/dir/l.json', '--orders', '1'], /ledger directory .* does not exist/],
  ])('given bad flags %j, then one clear message and exit code 2', (args, pattern) => {
    const r = simulate(args);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(pattern);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe('');
  });

  it('given bad values in the environment or a config file, then exit code 2 naming where they came from', () => {
    const env = simulate(['--orders', '1'], { BREWLINE_SEED: 'abc' });
    expect(env.status).toBe(2);
    expect(env.stderr).toMatch(/simulator\.seed.*BREWLINE_SEED/);
    writeFileSync(join(dir, 'bad.yaml'), 'simulator:\n  ordersPerHour: -3\n');
    const file = runCli(['--config', 'bad.yaml', 'simulate', '--orders', '1'], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(file.status).toBe(2);
    expect(file.stderr).toMatch(/simulator\.ordersPerHour.*bad\.yaml/);
  });

  it('given Ctrl+C during a paced run, then it flushes, writes a partial ledger of what was sent and exits 0', async () => {
    const out = join(dir, 'int.ndjson');
    const child = spawnCli(
      ['simulate', ...START, '--out', out, '--speed', '60', '--ledger', 'int.json', '--faults', ALL_FAULTS],
      { cwd: dir },
    );
    try {
      // Bounded wait for real output from the real process (no virtual clock across processes); a slow
      // machine may not reach 20 kB in time, and any output will do.
      await waitFor(() => existsSync(out) && statSync(out).size >= 20_000, {
        timeoutMs: 20_000,
        intervalMs: 50,
        what: '20 kB of orders',
      }).catch(() => undefined);
      expect(statSync(out).size).toBeGreaterThan(0);
      child.child.kill('SIGINT');
      expect((await child.exited).code).toBe(0);
    } finally {
      await child.stop();
    }
    expect(child.stderr).toContain('stopped (interrupted)');
    const ledger = readLedger('int.json');
    expect(ledger.complete).toBe(false);
    expect(ledger.messages.sent).toBeGreaterThan(0);
    expectGoldMatches('int.ndjson', ledger);
  });
});
