/**
 * `npm run bench:tui`: CPU and memory of `brewline demo` over 60 s at default settings. Targets: the
 * dashboard's own rendering below 10% of one core, RSS below 250 MB.
 *
 * The demo runs twice with the same seed: with the Ink dashboard in a real terminal (tmux, 120×40, private
 * socket), and headless with nothing printed until the end. Load generator, engine and DuckDB do the same
 * work in both, so the difference in CPU time is what drawing the dashboard costs.
 *
 * BENCH_SECONDS (default 60) shortens or lengthens each run.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 60);
const RENDER_TARGET = 0.1;
const RSS_TARGET_MB = 250;
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin/brewline.js');
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Usage {
  /** RSS samples, one a second, MB (only for whole runs). */
  samplesMb?: number[];
  /** CPU seconds (user + system, every thread). */
  cpu: number;
  /** Resident set size now and at its peak, MB. */
  rssMb: number;
  peakRssMb: number;
}

function usage(pid: number): Usage {
  // /proc/<pid>/stat: the command may contain spaces, so split after its closing parenthesis.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpu = (Number(fields[11]) + Number(fields[12])) / TICKS;
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0);
  return { cpu, rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Samples RSS every second; returns the usage at the end of the run. */
async function watch(pid: number): Promise<Usage & { samplesMb: number[] }> {
  const samplesMb: number[] = [];
  const started = Date.now();
  while (Date.now() - started < SECONDS * 1000) {
    await sleep(1000);
    samplesMb.push(usage(pid).rssMb);
  }
  return { ...usage(pid), samplesMb };
}

function waitForExit(pid: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const deadline = Date.now() + timeoutMs;
    const poll = (): void => {
      if (!existsSync(`/proc/${pid}`)) resolve();
      else if (Date.now() > deadline) reject(new Error(`process ${pid} did not exit`));
      else setTimeout(poll, 100);
    };
    poll();
  });
}

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BREWLINE_') && k !== 'CI') env[k] = v;
  return env;
}

async function withDashboard(dir: string): Promise<Usage & { samplesMb: number[] }> {
  const socket = `brewline-bench-tui-${process.pid}`;
  const tmux = (...args: string[]): string =>
    execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
  try {
    // `exec` makes the pane's process the demo itself, so its pid is the one to measure.
    tmux(
      'new-session',
      '-d',
      '-s',
      'bench',
      '-x',
      '120',
      '-y',
      '40',
      '-c',
      dir,
      `exec env -u CI node ${BIN} demo --seed 1`,
    );
    const pid = Number(tmux('display-message', '-p', '-t', 'bench', '#{pane_pid}').trim());
    const result = await watch(pid);
    const screen = tmux('capture-pane', '-p', '-t', 'bench');
    if (!/Σ NPR/.test(screen)) throw new Error(`the dashboard did not show gold:\n${screen}`);
    tmux('send-keys', '-t', 'bench', '-l', 'q');
    await waitForExit(pid, 30_000);
    return result;
  } finally {
    spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  }
}

async function headless(dir: string): Promise<Usage> {
  const child = spawn(process.execPath, [BIN, 'demo', '--seed', '1', '--plain', '--report-interval', '24h'], {
    cwd: dir,
    env: cleanEnv(),
    stdio: 'ignore',
  });
  const result = await watch(child.pid!);
  child.kill('SIGINT');
  await new Promise((r) => child.once('exit', r));
  return result;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
const mb = (x: number): string => `${x.toFixed(0)} MB`;

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'brewline-bench-tui-'));
  try {
    console.log(`brewline demo, ${SECONDS} s per run at default settings (seed 1), ${process.version}`);
    const tui = await withDashboard(join(dir));
    const plain = await headless(dir);
    const tuiCpu = tui.cpu / SECONDS;
    const plainCpu = plain.cpu / SECONDS;
    const rendering = Math.max(0, tuiCpu - plainCpu);
    const peak = Math.max(tui.peakRssMb, plain.peakRssMb);
    console.log('');
    console.log('run                         CPU (one core = 100%)   RSS end   RSS peak');
    console.log(
      `dashboard, tmux 120×40      ${pct(tuiCpu).padEnd(24)}${mb(tui.rssMb).padEnd(10)}${mb(tui.peakRssMb)}`,
    );
    console.log(
      `headless (no rendering)     ${pct(plainCpu).padEnd(24)}${mb(plain.rssMb).padEnd(10)}${mb(plain.peakRssMb)}`,
    );
    console.log('');
    console.log(
      `dashboard rendering ≈ ${pct(rendering)} of one core (target < ${pct(RENDER_TARGET)}): ${rendering < RENDER_TARGET ? 'OK' : 'ABOVE TARGET'}`,
    );
    console.log(
      `peak RSS ${mb(peak)} (target < ${RSS_TARGET_MB} MB): ${peak < RSS_TARGET_MB ? 'OK' : 'ABOVE TARGET'}`,
    );
    console.log(
      `RSS over the dashboard run (MB, every 10 s): ${tui.samplesMb
        .filter((_, i) => i % 10 === 9)
        .map((v) => v.toFixed(0))
        .join(' ')}`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
