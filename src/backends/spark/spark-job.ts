import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ExternalError } from '../../errors.js';
import { packageRoot } from './python-env.js';
import { parseProtocolLine, type SparkJobEvent } from './spark-progress.js';

/** The wrapper that runs the entry point and takes the job down if brewline dies (kept next to the sources). */
const runJob = (): string => join(packageRoot(), 'src', 'backends', 'spark', 'run_job.py');

export interface SparkJobOptions {
  /** The venv's interpreter. */
  readonly python: string;
  /** The entry point (`tasks/stream.py`) and what goes on PYTHONPATH. */
  readonly script: string;
  readonly pythonPath: string;
  /** Job parameters, named like brewline's flags (PLAN interface 4). */
  readonly args: readonly string[];
  /** Folder for the job's stderr log (Spark's log4j output). */
  readonly logDir: string;
  readonly cwd: string;
  readonly onEvent: (event: SparkJobEvent) => void;
  /**
   * After SIGTERM, how long the job may take to finish its batch before it is killed. A batch of this pipeline
   * takes 20–30 s on two idle cores and several times that on a loaded machine. @default 120_000
   */
  readonly stopTimeoutMs?: number;
  readonly env?: NodeJS.ProcessEnv;
}

export interface SparkJobExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** brewline killed it after the stop timeout. */
  readonly killed: boolean;
}

/**
 * The local Spark job as a supervised child process: its own process group (a terminal's Ctrl+C reaches
 * brewline, which forwards it), progress from its stdout protocol (PROTOCOL.md), Spark's logging to a file.
 * `stop()` asks it to finish the batch in progress (SIGTERM), then kills the whole group after a bounded
 * wait. The JVM is the Python process's child and exits with it (py4j's gateway watches its stdin).
 */
/** How long a stopping Spark job may finish its batch in progress before it is killed. */
export const SPARK_STOP_TIMEOUT_MS = 120_000;

export class SparkJob {
  readonly logPath: string;
  private readonly options: SparkJobOptions;
  private child: ChildProcess | undefined;
  private log: WriteStream | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private killed = false;
  private exitPromise: Promise<SparkJobExit> | undefined;

  constructor(options: SparkJobOptions) {
    this.options = options;
    this.logPath = join(options.logDir, `spark-${new Date().toISOString().replace(/[:.]/g, '-')}.log`);
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the job; the promise settles when it exits. */
  start(): Promise<SparkJobExit> {
    if (this.exitPromise) return this.exitPromise;
    const o = this.options;
    mkdirSync(o.logDir, { recursive: true });
    this.log = createWriteStream(this.logPath);
    const env = { ...process.env, ...o.env };
    env['PYTHONPATH'] = [o.pythonPath, env['PYTHONPATH']].filter(Boolean).join(':');
    env['PYTHONUNBUFFERED'] = '1';
    // run_job.py: the job dies with brewline (its stdin is our pipe), see there.
    const child = spawn(o.python, [runJob(), o.script, ...o.args], {
      cwd: o.cwd,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    this.child = child;
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const event = parseProtocolLine(line);
      if (event) o.onEvent(event);
      else this.log?.write(`[stdout] ${line}\n`);
    });
    child.stderr!.pipe(this.log, { end: false });
    this.exitPromise = new Promise<SparkJobExit>((resolve, reject) => {
      child.on('error', (error) =>
        reject(new ExternalError(`cannot start the Spark job (${o.python})`, { cause: error })),
      );
      child.on('close', (code, signal) => {
        if (this.killTimer) clearTimeout(this.killTimer);
        const exit = { code, signal, killed: this.killed };
        const log = this.log;
        if (!log) return resolve(exit);
        // Settle once the log is on disk: an error message reads its tail (the job's last stderr lines were
        // still in the write stream's buffer when CI read it right after 'close').
        log.once('error', () => resolve(exit));
        log.end(() => resolve(exit));
      });
    });
    return this.exitPromise;
  }

  /** Asks the job to stop after its batch in progress; kills its process group if it takes too long. */
  stop(): void {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // Only the Python driver: it stops its queries after the batch in progress. The JVM (same process group)
    // would shut down at once on a SIGTERM of its own, failing that batch.
    try {
      child.kill('SIGTERM');
    } catch {
      // already gone
    }
    if (!this.killTimer) {
      this.killTimer = setTimeout(() => this.kill(), this.options.stopTimeoutMs ?? SPARK_STOP_TIMEOUT_MS);
      this.killTimer.unref();
    }
  }

  /** Kills the job's whole process group at once (SIGKILL): a crash, as far as the job can tell. */
  kill(): void {
    this.killed = true;
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    const pid = this.child?.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        this.child?.kill(signal);
      } catch {
        // already gone
      }
    }
  }

  /** The last lines of the job's log, for an error message. */
  logTail(lines = 15): string {
    try {
      const text = readFileSync(this.logPath, 'utf8').trimEnd().split('\n');
      return text.slice(-lines).join('\n');
    } catch {
      return '';
    }
  }
}
