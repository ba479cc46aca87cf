/**
 * `npm run bench:spark-demo`: how long `brewline demo --engine spark` takes from start to its first gold
 * figures (the first `--json` status line with gold revenue), as a user starts it: its own broker, the local
 * PySpark job, the load generator. Runs it BENCH_RUNS times one after another (default 3), each in a fresh
 * folder and its own process group, ended with a Ctrl+C to the group as a terminal sends it; prints each
 * run's figure, the load average beside it, and the median.
 *
 * A run with no gold within BENCH_TIMEOUT seconds (default 400) counts as a failure: its folder (the job's
 * log and the Delta tables) is kept and its path printed, and the bench exits 1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 3);
const TIMEOUT_MS = Number(process.env['BENCH_TIMEOUT'] ?? 400) * 1000;
const bin = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'brewline.js');

interface Run {
  /** Seconds from start to the first status line with gold, or undefined when none came in time. */
  seconds?: number;
  load: number;
  dir: string;
}

function once(): Promise<Run> {
  const dir = mkdtempSync(join(tmpdir(), 'brewline-bench-spark-demo-'));
  const started = Date.now();
  const child = spawn(process.execPath, [bin, 'demo', '--engine', 'spark', '--json', '--duration', '15m'], {
    cwd: dir,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
  return new Promise((resolvePromise) => {
    let result: Run | undefined;
    const stop = (run: Run): void => {
      result = run;
      clearInterval(poll);
      try {
        process.kill(-child.pid!, 'SIGINT');
      } catch {
        // already gone
      }
    };
    const poll = setInterval(() => {
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        const status = JSON.parse(line) as { time: string; gold: { revenue: string } | null };
        if (status.gold !== null && status.gold.revenue !== '0.00') {
          stop({ seconds: (Date.parse(status.time) - started) / 1000, load: loadavg()[0]!, dir });
          return;
        }
      }
      if (Date.now() - started > TIMEOUT_MS) stop({ load: loadavg()[0]!, dir });
    }, 250);
    child.on('exit', () => {
      clearInterval(poll);
      resolvePromise(result ?? { load: loadavg()[0]!, dir });
    });
  });
}

const runs: Run[] = [];
for (let i = 0; i < RUNS; i++) {
  process.stderr.write(`run ${i + 1} of ${RUNS}…\n`);
  const run = await once();
  runs.push(run);
  if (run.seconds === undefined) {
    process.stdout.write(`run ${i + 1}: no gold within ${TIMEOUT_MS / 1000} s — kept ${run.dir}\n`);
  } else {
    process.stdout.write(
      `run ${i + 1}: first gold after ${run.seconds.toFixed(1)} s (load ${run.load.toFixed(1)})\n`,
    );
    rmSync(run.dir, { recursive: true, force: true });
  }
}
const seconds = runs.flatMap((r) => (r.seconds === undefined ? [] : [r.seconds])).sort((a, b) => a - b);
const median = seconds.length === 0 ? undefined : seconds[Math.floor((seconds.length - 1) / 2)];
process.stdout.write(
  `bench:spark-demo — ${RUNS} runs: first gold median ${median === undefined ? '—' : `${median.toFixed(1)} s`}` +
    (seconds.length > 0 ? `, range ${seconds[0]!.toFixed(1)}–${seconds.at(-1)!.toFixed(1)} s` : '') +
    `, ${RUNS - seconds.length} without gold within ${TIMEOUT_MS / 1000} s\n`,
);
if (seconds.length < RUNS) process.exitCode = 1;
