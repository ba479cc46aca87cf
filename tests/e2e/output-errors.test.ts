import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { removeTempDir, runCli, spawnCli, tempDir, waitFor } from '../helpers/cli.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('output-errors');
});
afterEach(() => removeTempDir(dir));

const cli = (args: string[]) => runCli(args, { cwd: dir, timeoutMs: 60_000 });

/** A path the OS refuses to write even for root (procfs). */
const UNWRITABLE = '/proc/sys';

function expectOneLine(stderr: string, path: string, what: RegExp): void {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^brewline: /);
  expect(lines[0]).toContain(path);
  expect(lines[0]).toMatch(what);
  expect(stderr).not.toMatch(/internal error|\n\s+at /);
}

describe('outputs and OS errors (issue 10 item 10)', () => {
  it('simulate --out /dev/null finishes (a device is never fsynced)', () => {
    const run = cli(['simulate', '--out', '/dev/null', '--orders', '200', '--speed', 'max']);
    expect(run.stderr).not.toMatch(/EINVAL|internal error/);
    expect(run.status).toBe(0);
  });

  it('an unwritable --ledger is refused before any order is sent', () => {
    const out = join(dir, 'o.ndjson');
    const run = cli([
      'simulate',
      '--out',
      out,
      '--orders',
      '100000',
      '--speed',
      'max',
      '--ledger',
      `${UNWRITABLE}/brewline-ledger.json`,
    ]);
    expect(run.status).toBe(2);
    expectOneLine(run.stderr, `${UNWRITABLE}/brewline-ledger.json`, /permission denied \(EACCES\)/);
    expect(existsSync(out)).toBe(false);
  });

  it('a directory given as --ledger is named as such', () => {
    mkdirSync(join(dir, 'ledger-dir'));
    const run = cli([
      'simulate',
      '--out',
      join(dir, 'o.ndjson'),
      '--orders',
      '10',
      '--ledger',
      join(dir, 'ledger-dir'),
    ]);
    expect(run.status).toBe(2);
    expectOneLine(run.stderr, join(dir, 'ledger-dir'), /is a directory \(EISDIR\)/);
  });

  it('pipeline run checks its lakehouse and checkpoint before starting', () => {
    writeFileSync(join(dir, 'in.ndjson'), '');
    const source = ['--source', `file:${join(dir, 'in.ndjson')}`, '--available-now'];
    const lake = cli(['pipeline', 'run', ...source, '--lakehouse', `${UNWRITABLE}/brewline/lake.duckdb`]);
    expect(lake.status).toBe(2);
    expectOneLine(lake.stderr, `${UNWRITABLE}/brewline/lake.duckdb`, /permission denied \(EACCES\)/);
    writeFileSync(join(dir, 'not-a-dir'), 'x');
    const cp = cli([
      'pipeline',
      'run',
      ...source,
      '--lakehouse',
      join(dir, 'l.duckdb'),
      '--checkpoint',
      join(dir, 'not-a-dir'),
    ]);
    expect(cp.status).toBe(2);
    expectOneLine(cp.stderr, join(dir, 'not-a-dir'), /not a directory \(ENOTDIR\)/);
  });

  it('a missing source file is one line with the fix, not a stack', () => {
    const run = cli([
      'pipeline',
      'run',
      '--source',
      `file:${join(dir, 'nope.ndjson')}`,
      '--available-now',
      '--lakehouse',
      join(dir, 'l.duckdb'),
      '--checkpoint',
      join(dir, 'cp'),
    ]);
    expect(run.status).toBe(2);
    expectOneLine(run.stderr, join(dir, 'nope.ndjson'), /does not exist \(ENOENT\)/);
  });

  it('a SIGKILLed simulator leaves a ledger of what it acknowledged, never an older one', async () => {
    // Given an older ledger at the same path
    const ledger = join(dir, 'ledger.json');
    const out = join(dir, 'o.ndjson');
    writeFileSync(ledger, JSON.stringify({ stale: true }));
    // When a simulator runs for a while and is killed with SIGKILL
    const sim = spawnCli(['simulate', '--out', out, '--rate', '400', '--ledger', ledger], { cwd: dir });
    const read = (): { complete: boolean; messages: { sent: number } } | undefined => {
      try {
        return JSON.parse(readFileSync(ledger, 'utf8')) as { complete: boolean; messages: { sent: number } };
      } catch {
        return undefined;
      }
    };
    await waitFor(() => (read()?.messages?.sent ?? 0) >= 200, {
      timeoutMs: 60_000,
      what: 'a ledger covering 200 acknowledged messages',
      detail: () => sim.stderr,
    });
    await sim.stop('SIGKILL');
    // Then the ledger is a whole, partial ledger of this run: nothing it counts was not written
    const left = read();
    expect(left).toMatchObject({ complete: false });
    const lines = readFileSync(out, 'utf8')
      .split('\n')
      .filter((l) => l !== '').length;
    expect(left!.messages.sent).toBeGreaterThanOrEqual(200);
    expect(left!.messages.sent).toBeLessThanOrEqual(lines);
  });
});
