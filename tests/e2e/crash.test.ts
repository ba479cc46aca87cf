import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDir, runCli, spawnCli, tempDir } from '../helpers/cli.js';
import { mulberry32 } from '../helpers/mulberry32.js';
import { ALL_FAULTS } from '../unit/simulator/fixtures.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('crash-e2e');
});
afterAll(() => removeTempDir(dir));

const PIPELINE = (d: string): string[] => [
  'pipeline',
  'run',
  '--source',
  `file:${join(d, 'orders.ndjson')}`,
  '--lakehouse',
  join(d, 'lakehouse.duckdb'),
  '--checkpoint',
  join(d, 'checkpoint'),
  '--available-now',
  '--max-records-per-batch',
  '300',
];

/**
 * Starts the pipeline and SIGKILLs it a random 0–120 ms after its first progress line (so every kill lands
 * while batches are being read, written or committed). Resolves 'killed', or 'finished' if it ended first.
 */
async function runAndKill(delayMs: number): Promise<'killed' | 'finished'> {
  const pipeline = spawnCli(PIPELINE(dir), { cwd: dir });
  // Listening (not polling) keeps the kill moment exactly delayMs after the first progress line.
  let killed = false;
  pipeline.child.stderr.on('data', () => {
    if (!killed && /^batch \d+/m.test(pipeline.stderr)) {
      killed = true;
      setTimeout(() => pipeline.child.kill('SIGKILL'), delayMs);
    }
  });
  const { code, signal, stderr } = await pipeline.exited;
  if (signal === 'SIGKILL') return 'killed';
  if (code === 0) return 'finished';
  throw new Error(`pipeline exited ${code}: ${stderr}`);
}

describe('crash safety', () => {
  it('survives 20+ SIGKILLs at random moments with zero differences against the ledger', async () => {
    // Given 30,000 orders with every fault kind in a file, and its ledger
    const sim = runCli(
      [
        'simulate',
        '--sink',
        'file',
        '--out',
        'orders.ndjson',
        '--orders',
        '30000',
        '--speed',
        'max',
        '--seed',
        '11',
        '--faults',
        ALL_FAULTS,
        '--ledger',
        'ledger.json',
      ],
      { cwd: dir },
    );
    expect(sim.status, sim.stderr).toBe(0);
    // When the pipeline is killed at random moments and restarted each time
    const random = mulberry32(20261126);
    let kills = 0;
    let finished = false;
    while (kills < 25 && !finished) {
      const outcome = await runAndKill(Math.floor(random() * 120));
      if (outcome === 'killed') kills++;
      else finished = true;
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    // And finally runs to completion
    const last = runCli(PIPELINE(dir), { cwd: dir });
    expect(last.status, last.stderr).toBe(0);
    // Then verify finds no difference at all
    const verify = runCli(['verify', '--ledger', 'ledger.json', '--lakehouse', 'lakehouse.duckdb'], {
      cwd: dir,
    });
    expect(verify.stdout).toContain('no differences');
    expect(verify.status, verify.stdout).toBe(0);
  }, 300_000);
});
