import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/verify/compare.js';
import { removeTempDir, runCli, tempDir } from '../helpers/cli.js';
import { ALL_FAULTS } from '../unit/simulator/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('acceptance-e2e');
  // Given 200,000 simulated orders with every fault kind, in a file, with their ledger
  const sim = runCli(
    [
      'simulate',
      '--sink',
      'file',
      '--out',
      'orders.ndjson',
      '--orders',
      '200000',
      '--speed',
      'max',
      '--seed',
      '3',
      '--faults',
      ALL_FAULTS,
      '--ledger',
      'ledger.json',
    ],
    { cwd: dir },
  );
  if (sim.status !== 0) throw new Error(sim.stderr);
}, 180_000);
afterAll(() => removeTempDir(dir));

function pipeline(mode: 'complete' | 'update'): void {
  const run = runCli(
    [
      'pipeline',
      'run',
      '--source',
      'file:orders.ndjson',
      '--lakehouse',
      `${mode}.duckdb`,
      '--checkpoint',
      `cp-${mode}`,
      '--available-now',
      '--output-mode',
      mode,
      // 7,000-line batches (as in the Spark comparison): with Spark's wm(N−1) rule, 50,000 would drop nothing
      ...(mode === 'update' ? ['--max-records-per-batch', '7000'] : []),
    ],
    { cwd: dir, timeoutMs: 240_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/^batch 0 /m);
}

function verify(
  lakehouse: string,
  mode?: 'complete' | 'update',
): { status: number | null; report: VerifyReport } {
  const r = runCli(
    [
      'verify',
      '--ledger',
      'ledger.json',
      '--lakehouse',
      lakehouse,
      ...(mode ? ['--output-mode', mode] : []),
      '--json',
    ],
    { cwd: dir },
  );
  return { status: r.status, report: JSON.parse(r.stdout) as VerifyReport };
}

describe('acceptance: 200,000 orders with all fault kinds', () => {
  it('complete mode: zero differences against the ledger', () => {
    pipeline('complete');
    const { status, report } = verify('complete.duckdb', 'complete');
    expect(report.differences).toEqual([]);
    expect(status).toBe(0);
  }, 240_000);

  it('update mode: the only difference is the very_late orders, each counted as dropped', () => {
    pipeline('update');
    // verify reads the mode and the late rule from the lakehouse: no flag needed
    const { status, report } = verify('update.duckdb');
    expect(report.differences).toEqual([]);
    expect(status).toBe(0);
    expect(report).toMatchObject({ outputMode: 'update', statefulOperatorAllowMultiple: true });
    expect(report.droppedVeryLate).toBeGreaterThan(0);
    expect(report.checks.find((c) => c.name.startsWith('late rule'))).toMatchObject({ ok: true });
    // A flag that disagrees with the lakehouse is an error that says so
    const wrong = runCli(
      ['verify', '--ledger', 'ledger.json', '--lakehouse', 'update.duckdb', '--output-mode', 'complete'],
      { cwd: dir },
    );
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toMatch(
      /--output-mode complete disagrees with the lakehouse: its query ran in update mode/,
    );
  }, 240_000);
});
