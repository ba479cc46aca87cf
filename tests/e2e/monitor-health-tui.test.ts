import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BIN,
  ensureBuilt,
  removeTempDir,
  runCli,
  spawnCli,
  tempDir,
  waitFor,
  type CliProcess,
} from '../helpers/cli.js';
import { Tmux } from '../helpers/tmux.js';

/**
 * An on-call engineer's `brewline monitor` in a real 120×40 terminal, attached to a `pipeline run` that
 * falls behind, is stopped (SIGSTOP) and is killed: the badge is never a false green.
 */
const tmux = new Tmux('monitor-health');
let dir: string;
let pipeline: CliProcess | undefined;

const badge = (screen: string): string | undefined =>
  / (OK|WARN|ERR|STALL|STOP|REWIND|STALE|DOWN)(?: \S+ ago)? +updated/.exec(screen)?.[1];
const backlog = (screen: string): number | undefined => {
  const m = /backlog [\d.]+ [KMG]?i?B ≈ ([\d,]+) rec/.exec(screen);
  return m ? Number(m[1]!.replace(/,/g, '')) : undefined;
};

beforeAll(() => {
  ensureBuilt();
  dir = tempDir('monitor-health');
  const made = runCli(
    [
      'simulate',
      '--sink',
      'file',
      '--out',
      'orders.ndjson',
      '--orders',
      '60000',
      '--speed',
      'max',
      '--seed',
      '3',
    ],
    { cwd: dir, timeoutMs: 60_000 },
  );
  if (made.status !== 0) throw new Error(`simulate failed: ${made.stderr}`);
});

afterAll(async () => {
  tmux.kill();
  if (pipeline) {
    pipeline.child.kill('SIGCONT');
    await pipeline.stop();
  }
  removeTempDir(dir);
});

describe('brewline monitor health badge', () => {
  it('shows WARN from the backlog threshold while lag falls, STALE when the pipeline stops, DOWN when it dies', async () => {
    // Given a pipeline working through a large file in small batches, serving its status
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
        '--max-records-per-batch',
        '1000',
        '--trigger',
        '500ms',
        '--status-port',
        '0',
      ],
      { cwd: dir },
    );
    pipeline = running;
    const url = await waitFor(() => /status endpoint (http:\/\/127\.0\.0\.1:\d+)/.exec(running.stderr)?.[1], {
      timeoutMs: 20_000,
      what: 'the status endpoint',
      detail: () => running.stderr,
    });
    // And the monitor in a terminal, refreshing every second
    tmux.start(
      'mon',
      120,
      40,
      dir,
      `env -u CI node ${BIN} monitor --url ${url} --refresh 1s; echo $? > ${join(dir, 'exit-code')}; sleep 600`,
    );

    // Then while the backlog falls, the badge says WARN and names the threshold
    const first = await tmux.waitForScreen(
      'mon',
      (s) => badge(s) === 'WARN' && backlog(s) !== undefined,
      20_000,
      'WARN with a backlog',
    );
    expect(first).toMatch(/backlog [\d,]+ records ≥ 10,000 records/);
    const before = backlog(first)!;
    const later = await tmux.waitForScreen(
      'mon',
      (s) => (backlog(s) ?? Infinity) < before,
      10_000,
      'the backlog to fall',
    );
    expect(badge(later)).toMatch(/WARN|OK/);

    // When the pipeline is stopped (SIGSTOP: the process is there but answers nothing)
    running.child.kill('SIGSTOP');
    const stopped = Date.now();
    const stale = await tmux.waitForScreen('mon', (s) => badge(s) === 'STALE', 6000, 'STALE');
    // Then within two refreshes (+ the 500ms allowance and the screen's own refresh) the badge is STALE,
    // with the age of the last good reading
    expect(Date.now() - stopped).toBeLessThan(4000);
    expect(stale).toMatch(/STALE \ds ago/);
    expect(stale).toContain('no fresh reading: last good reading');

    // When it continues, the badge comes back by itself
    running.child.kill('SIGCONT');
    await tmux.waitForScreen(
      'mon',
      (s) => badge(s) !== 'STALE' && badge(s) !== undefined,
      10_000,
      'recovery',
    );

    // When the pipeline is killed, the badge turns DOWN within two refreshes
    await running.stop('SIGKILL');
    const killed = Date.now();
    const down = await tmux.waitForScreen('mon', (s) => badge(s) === 'DOWN', 5000, 'DOWN');
    expect(Date.now() - killed).toBeLessThan(3000);
    expect(down).toContain('pipeline unreachable: last good reading');
    expect(down).not.toMatch(/ OK +updated/);
    tmux.press('mon', 'q');
  });
});
