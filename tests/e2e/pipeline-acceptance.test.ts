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
    ],
    { cwd: dir, timeoutMs: 240_000 },
  );
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toMatch(/^batch 0 /m);
}

function verify(
  lakehouse: string,
  mode: 'complete' | 'update',
): { status: number | null; report: VerifyReport } {
  const r = runCli(
    ['verify', '--ledger', 'ledger.json', '--lakehouse', lakehouse, '--output-mode', mode, '--json'],
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
    const { status, report } = verify('update.duckdb', 'update');
    expect(report.differences).toEqual([]);
    expect(status).toBe(0);
    expect(report.droppedVeryLate).toBeGreaterThan(0);
    // Against the full ledger, only gold differs (silver, bronze and quarantine keep every late sale).
    const strict = verify('update.duckdb', 'complete');
    expect(strict.status).toBe(1);
    const tables = new Set(strict.report.differences.map((d) => d.table));
    expect([...tables].every((t) => t.startsWith('gold.') || t === 'ops.stream_progress')).toBe(true);
  }, 240_000);
});
