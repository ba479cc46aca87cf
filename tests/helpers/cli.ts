/**
 * Running the built CLI (`node bin/brewline.js`, which loads dist/src/cli.js) as a real process from tests.
 * dist/ is compiled once per vitest run by the globalSetup in build-once.ts, never by a test file: a file
 * rebuilding dist/ while another file's CLI process imports it is a race.
 */
import { spawn, spawnSync, type ChildProcessByStdio, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';

/** The repository root (with a trailing separator). */
export const REPO = fileURLToPath(new URL('../../', import.meta.url));
/** The CLI's launcher, as `npm link` or the Docker image runs it. */
export const BIN = join(REPO, 'bin', 'brewline.js');
/** What BIN loads; present once the build ran. */
export const CLI_JS = join(REPO, 'dist', 'src', 'cli.js');

/** Throws a clear error when the CLI has not been compiled to dist/. */
export function ensureBuilt(): void {
  if (!existsSync(CLI_JS)) {
    throw new Error(`${CLI_JS} does not exist: run \`npm run build\` (vitest's globalSetup normally does)`);
  }
}

/**
 * The environment of this process without the machine's brewline, Kafka and Event Hubs settings, so a test
 * sees only the configuration it passes; `extra` is laid over it.
 */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (key.startsWith('BREWLINE_') || key.startsWith('KAFKA_') || key === 'EVENTHUB_CONNECTION_STRING')
      continue;
    env[key] = value;
  }
  return { ...env, ...extra };
}

/** Where and how a CLI process runs. */
export interface CliOptions {
  /** Working directory of the process. */
  cwd: string;
  /** Variables laid over the cleaned environment (see cleanEnv). @default {} */
  env?: Record<string, string>;
}

/** Options of a CLI run that this test waits for. */
export interface RunCliOptions extends CliOptions {
  /** The process is killed after this long, so a hung CLI fails the test instead of stalling it. @default 120_000 */
  timeoutMs?: number;
}

/** Runs `brewline <args>` to completion (stdout is a pipe, as in `brewline … | cat`). */
export function runCli(args: readonly string[], options: RunCliOptions): SpawnSyncReturns<string> {
  ensureBuilt();
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    // A simulator writing orders to stdout easily exceeds the 1 MiB default.
    maxBuffer: 256 * 1024 * 1024,
  });
}

/** How a background CLI process ended, with everything it wrote. */
export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A CLI process running in the background. */
export interface CliProcess {
  readonly child: ChildProcessByStdio<null, Readable, Readable>;
  /** Everything written to stdout so far. */
  readonly stdout: string;
  /** Everything written to stderr so far. */
  readonly stderr: string;
  /** Settles once the process has exited and its output is complete. */
  readonly exited: Promise<CliExit>;
  /** Sends `signal` unless the process already ended, then waits for it to end. @default 'SIGKILL' */
  stop(signal?: NodeJS.Signals): Promise<CliExit>;
  /**
   * Sends `signal` to the process's whole group, as a terminal's Ctrl+C does to its foreground group
   * (with `ownProcessGroup`), then waits for the CLI to end.
   */
  signalGroup(signal: NodeJS.Signals): Promise<CliExit>;
}

/** Options of a CLI started in the background. */
export interface SpawnCliOptions extends CliOptions {
  /** Start it as the leader of its own process group, like a command typed in a terminal. @default false */
  ownProcessGroup?: boolean;
}

/**
 * Starts `brewline <args>` without waiting for it: for long-running commands, and for commands that talk to
 * a server living in this test process (a blocking run would starve it).
 */
export function spawnCli(args: readonly string[], options: SpawnCliOptions): CliProcess {
  ensureBuilt();
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.ownProcessGroup ?? false,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<CliExit>((resolve) => {
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    // Spawning node itself failed: no 'close' may follow, and the test should see why.
    child.once('error', (error) =>
      resolve({ code: null, signal: null, stdout, stderr: `${stderr}${error}` }),
    );
  });
  return {
    child,
    get stdout() {
      return stdout;
    },
    get stderr() {
      return stderr;
    },
    exited,
    stop(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
    signalGroup(signal) {
      if (!options.ownProcessGroup)
        throw new Error('signalGroup needs spawnCli(…, { ownProcessGroup: true })');
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, signal);
        } catch {
          // the group is gone already
        }
      }
      return exited;
    },
  };
}

/** Bounds of a waitFor. */
export interface WaitOptions {
  /** Give up (and throw) after this long. */
  timeoutMs: number;
  /** What is awaited, for the timeout message ("the status endpoint"). */
  what: string;
  /** Pause between probes. @default 100 */
  intervalMs?: number;
  /** More context for the timeout message, such as a process's stderr or a screen. */
  detail?: () => string;
}

/**
 * Probes until `probe` returns something other than undefined, null or false, and returns it. For waiting on
 * another process (a file it writes, a line it prints), where no virtual clock can reach.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) {
      const detail = options.detail?.();
      throw new Error(
        `timed out after ${options.timeoutMs} ms waiting for ${options.what}${detail ? `:\n${detail}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
  }
}

/** Parses `--json` output: one JSON value per non-empty line. */
export function jsonLines<T = unknown>(text: string): T[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** The summary `brewline simulate --json` prints last, as far as tests read it. */
export interface SimulateSummary {
  status: 'finished' | 'stopped' | 'failed';
  sink: string;
  orders: number;
  messages: { generated: number; sent: number; rejected: number; errors: number };
}

/** A new empty directory under the system temp directory, named `brewline-<name>-XXXXXX`. */
export function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `brewline-${name}-`));
}

/** Removes a directory made by tempDir; nothing happens when it was never made. */
export function removeTempDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}
