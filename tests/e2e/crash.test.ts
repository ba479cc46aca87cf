import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, buildCli, cleanEnv, FAULTS, runCli } from '../unit/pipeline/cli-process.js';

let dir: string;
beforeAll(() => {
  buildCli();
  dir = mkdtempSync(join(tmpdir(), 'brewline-crash-e2e-'));
}, 180_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A small seeded PRNG (mulberry32) so the kill moments are random but reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

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
function runAndKill(delayMs: number): Promise<'killed' | 'finished'> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...PIPELINE(dir)], {
      env: cleanEnv(),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let killed = false;
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!killed && /^batch \d+/m.test(stderr)) {
        killed = true;
        setTimeout(() => child.kill('SIGKILL'), delayMs);
      }
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve('killed');
      else if (code === 0) resolve('finished');
      else reject(new Error(`pipeline exited ${code}: ${stderr}`));
    });
  });
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
        FAULTS,
        '--ledger',
        'ledger.json',
      ],
      dir,
    );
    expect(sim.status, sim.stderr).toBe(0);
    // When the pipeline is killed at random moments and restarted each time
    const random = prng(20261126);
    let kills = 0;
    let finished = false;
    while (kills < 25 && !finished) {
      const outcome = await runAndKill(Math.floor(random() * 120));
      if (outcome === 'killed') kills++;
      else finished = true;
    }
    expect(kills).toBeGreaterThanOrEqual(20);
    // And finally runs to completion
    const last = runCli(PIPELINE(dir), dir);
    expect(last.status, last.stderr).toBe(0);
    // Then verify finds no difference at all
    const verify = runCli(['verify', '--ledger', 'ledger.json', '--lakehouse', 'lakehouse.duckdb'], dir);
    expect(verify.stdout).toContain('no differences');
    expect(verify.status, verify.stdout).toBe(0);
  }, 300_000);
});
