import { parseDuration } from '../domain/time.js';
import { ConfigError, EXIT_FAILURE } from '../errors.js';
import type { RunEvent, RunSnapshot } from '../backends/databricks/run-follower.js';

/** The job `pipeline run --engine databricks` starts unless --job names another (the bundle's prod name). */
export const DEFAULT_JOB_NAME = 'brewline-medallion';

export interface DatabricksRunOptions {
  /** A job name (exact) or numeric id. @default DEFAULT_JOB_NAME */
  readonly job?: string | undefined;
  /** Cancel the run when brewline is interrupted (default: leave it going). */
  readonly cancelOnExit?: boolean | undefined;
  readonly profile?: string | undefined;
  /** runs/get interval, e.g. 2s. @default 2s */
  readonly poll?: string | undefined;
  /** 'tui' shows the run panel; 'plain'/'json' print one line per change on stdout. */
  readonly format: 'tui' | 'plain' | 'json';
}

export interface DatabricksRunIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Registers the interrupt handler; returns its remover. @default SIGINT/SIGTERM on process */
  readonly onInterrupt?: (handler: () => void) => () => void;
}

function processInterrupt(handler: () => void): () => void {
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
}

/**
 * `brewline pipeline run --engine databricks`: starts the bundle's job (Jobs API run-now), follows it with
 * runs/get until it is final, shows each task's life-cycle and result state, prints a failed task's error and
 * exits non-zero when the run did not succeed. Ctrl+C stops following and leaves the run going, unless
 * --cancel-on-exit.
 */
export async function runDatabricksPipeline(
  options: DatabricksRunOptions,
  io: DatabricksRunIo,
): Promise<number> {
  const pollMs = options.poll === undefined ? 2000 : parseDuration(options.poll.trim());
  if (pollMs === undefined || pollMs <= 0) {
    throw new ConfigError(`--poll: expected an interval like 2s, got ${JSON.stringify(options.poll)}`);
  }
  const { openDatabricksWorkspace } = await import('../backends/databricks/workspace.js');
  const { RunFollower, runLine, taskLine, runEventJson, runSucceeded } =
    await import('../backends/databricks/run-follower.js');
  const workspace = openDatabricksWorkspace({
    ...(io.env ? { env: io.env } : {}),
    profile: options.profile,
  });
  const jobName = options.job ?? DEFAULT_JOB_NAME;
  const jobId = /^\d+$/.test(jobName) ? Number(jobName) : await workspace.jobs.jobIdByName(jobName);
  const { run_id: runId } = await workspace.jobs.runNow(jobId);
  io.stderr(
    `started run ${runId} of job ${jobName === String(jobId) ? jobId : `"${jobName}" (${jobId})`} on ${workspace.settings.host} as ${workspace.tokens.method}`,
  );
  const follower = new RunFollower({ jobs: workspace.jobs, runId, pollMs });
  let interrupted = false;
  const removeInterrupt = (io.onInterrupt ?? processInterrupt)(() => {
    if (interrupted) return;
    interrupted = true;
    follower.stop();
  });
  let unsubscribe = (): void => undefined;
  let panel: { close(): void; done: Promise<void> } | undefined;
  if (options.format === 'tui') {
    process.env['NODE_ENV'] ??= 'production';
    const { showRunPanel } = await import('../tui/run-panel.js');
    const { themeFromEnv } = await import('../tui/theme.js');
    panel = showRunPanel(follower, themeFromEnv(), () => {
      if (!interrupted) {
        interrupted = true;
        follower.stop();
      }
    });
  } else {
    const write = (event: RunEvent): void => {
      if (options.format === 'json') io.stdout(runEventJson(event));
      else if (event.type === 'task') io.stdout(taskLine(event.task));
      else if (event.type === 'run') io.stdout(runLine(event.snapshot));
    };
    unsubscribe = follower.subscribe(write);
  }
  let last: RunSnapshot | undefined;
  try {
    last = await follower.follow();
  } finally {
    unsubscribe();
    removeInterrupt();
    panel?.close();
    await panel?.done;
  }
  const url = last?.url ? ` (${last.url})` : '';
  if (interrupted && !last?.finished) {
    if (options.cancelOnExit) {
      await workspace.jobs.cancelRun(runId);
      io.stderr(`cancelled run ${runId}${url}`);
    } else {
      io.stderr(
        `stopped following; run ${runId} keeps going on Databricks${url} (--cancel-on-exit cancels it instead)`,
      );
    }
    return 130;
  }
  if (!last) return EXIT_FAILURE;
  for (const task of last.tasks) {
    if (task.error !== undefined && task.resultState !== 'CANCELED') {
      io.stderr(`task ${task.taskKey} ${task.resultState ?? task.lifeCycleState}: ${task.error}`);
    }
  }
  if (runSucceeded(last)) {
    io.stderr(`run ${runId} succeeded: ${last.tasks.length} tasks${url}`);
    return 0;
  }
  io.stderr(
    `run ${runId} ${last.lifeCycleState} ${last.resultState ?? ''}${last.stateMessage ? ` — ${last.stateMessage}` : ''}${url}`.replace(
      /\s+—/,
      ' —',
    ),
  );
  return EXIT_FAILURE;
}
