import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SparkEngine } from '../../src/chain/spark-engine.js';
import { spawn } from 'node:child_process';
import { ensureBuilt, REPO } from '../helpers/cli.js';

/**
 * The local Spark engine's supervision, against a stand-in job that speaks the same stdout protocol
 * (PROTOCOL.md) without starting Spark: progress mapping, a clean stop, a kill after the stop timeout
 * (process group included), a failing job's error. The real job runs in spark-differential/spark-crash.
 */
const FAKE = join(REPO, 'tests', 'fakes', 'spark', 'fake_stream_job.py');
const dirs: string[] = [];

function engine(
  env: (dir: string) => Record<string, string> = () => ({}),
  stopTimeoutMs = 10_000,
): SparkEngine {
  const dir = mkdtempSync(join(tmpdir(), 'brewline-spark-sup-'));
  dirs.push(dir);
  return new SparkEngine({
    source: { kind: 'kafka', brokers: ['127.0.0.1:1'], topic: 'orders' },
    lakehouseDir: join(dir, 'lakehouse'),
    trigger: { kind: 'interval', intervalMs: 1000 },
    settings: {
      queryName: 'orders',
      outputMode: 'update',
      window: { durationMs: 3_600_000, slideMs: 3_600_000, startOffsetMs: 900_000 },
      watermarkDelayMs: 600_000,
      startingOffsets: 'earliest',
    },
    python: 'python3',
    script: { path: FAKE, pythonPath: join(REPO, 'tests', 'fakes', 'spark') },
    env: env(dir),
    stopTimeoutMs,
  });
}

async function until(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the Spark engine supervising its job', () => {
  it('maps every progress line to a batch, then stops cleanly on request', async () => {
    const e = engine();
    const events: string[] = [];
    e.subscribe((ev) => events.push(ev.type));
    await e.open();
    const run = e.run();
    await until(() => e.getSnapshot().status === 'idle', 'the idle event');
    const s = e.getSnapshot();
    expect(s.totals.batches).toBe(3);
    expect(s.totals.inputRows).toBe(30);
    expect(s.totals.droppedByWatermark).toBe(0 + 1 + 2);
    expect(s.committedOffsets).toEqual({ '0': 30, '1': 0 });
    expect(s.lastProgress?.silver).toEqual({ rows: 10, orders: 9, duplicates: 1, quarantined: 0 });
    expect(s.lastProgress?.inputRowsPerSecond).toBeNull();
    expect(s.lastProgress?.sources[0]?.startOffset).toEqual({ '0': 20, '1': 0 });
    // max event time 03:00 − 10 min delay: the watermark of the next batch.
    expect(s.watermarkMs).toBe(Date.parse('2026-11-20T02:50:00.000Z'));
    e.stop();
    await run;
    expect(e.getSnapshot().status).toBe('stopped');
    expect(events).toEqual(['started', 'progress', 'progress', 'progress', 'idle', 'terminated']);
    await e.close();
  });

  it('kills the whole process group when the job does not stop in time', async () => {
    const e = engine((dir) => ({ FAKE_IGNORE_SIGTERM: '1', FAKE_CHILD_PID_FILE: join(dir, 'jvm.pid') }), 300);
    const pidFile = join(dirs.at(-1)!, 'jvm.pid');
    const run = e.run();
    await until(() => e.getSnapshot().status === 'idle', 'the idle event');
    const jvm = Number(readFileSync(pidFile, 'utf8'));
    expect(alive(jvm)).toBe(true);
    e.stop();
    await expect(run).rejects.toThrow(/killed after not stopping in time/);
    expect(e.getSnapshot().status).toBe('failed');
    await until(() => !alive(jvm), 'the job’s child process to die');
    await e.close();
  });

  it('fails with the tail of the job’s log when the job exits with an error', async () => {
    const e = engine(() => ({ FAKE_EXIT_CODE: '1', FAKE_BATCHES: '1' }));
    const run = e.run();
    const error = await run.then(
      () => undefined,
      (err: unknown) => err as Error & { hint?: string },
    );
    expect(error?.message).toContain('the Spark job exited with code 1');
    expect(error?.hint).toContain('Traceback: boom');
    expect(error?.hint).toContain('some library chatter on stdout');
    expect(e.getSnapshot().totals.batches).toBe(1);
    await e.close();
  });

  it('takes the job down when brewline itself is killed', async () => {
    ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'brewline-spark-sup-'));
    dirs.push(dir);
    const pidFile = join(dir, 'jvm.pid');
    const program = `
      import { SparkEngine } from ${JSON.stringify(join(REPO, 'dist', 'src', 'chain', 'spark-engine.js'))};
      const e = new SparkEngine({
        source: { kind: 'kafka', brokers: ['127.0.0.1:1'], topic: 'orders' },
        lakehouseDir: ${JSON.stringify(join(dir, 'lakehouse'))},
        trigger: { kind: 'interval', intervalMs: 1000 },
        settings: { queryName: 'orders', outputMode: 'complete', watermarkDelayMs: 600000, startingOffsets: 'earliest',
          window: { durationMs: 3600000, slideMs: 3600000, startOffsetMs: 900000 } },
        python: 'python3',
        script: { path: ${JSON.stringify(FAKE)}, pythonPath: ${JSON.stringify(join(REPO, 'tests', 'fakes', 'spark'))} },
        env: { FAKE_IGNORE_SIGTERM: '1', FAKE_CHILD_PID_FILE: ${JSON.stringify(pidFile)} },
      });
      e.subscribe((ev) => { if (ev.type === 'idle') console.log('idle ' + e.pid); });
      await e.run();`;
    const parent = spawn(process.execPath, ['--input-type=module', '-e', program], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    parent.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    await until(() => /idle \d+/.test(out), 'the job to go idle');
    const jobPid = Number(/idle (\d+)/.exec(out)![1]);
    const jvm = Number(readFileSync(pidFile, 'utf8'));
    parent.kill('SIGKILL');
    await until(() => !alive(jobPid) && !alive(jvm), 'the orphaned job and its child to die');
  });
});
