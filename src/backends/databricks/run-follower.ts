import { systemClock, type Clock } from '../../domain/clock.js';
import {
  FINAL_LIFE_CYCLE_STATES,
  type JobsClient,
  type LifeCycleState,
  type ResultState,
  type Run,
} from './jobs-client.js';

/** One task of a followed run, as the run panel and the headless lines show it. */
export interface RunTaskView {
  readonly taskKey: string;
  readonly dependsOn: readonly string[];
  readonly lifeCycleState: LifeCycleState;
  readonly resultState: ResultState | undefined;
  readonly startMs: number | undefined;
  readonly endMs: number | undefined;
  readonly attempt: number;
  /** The task's error (runs/get-output), once it failed. */
  readonly error: string | undefined;
}

export interface RunSnapshot {
  readonly runId: number;
  readonly jobId: number;
  readonly runName: string | undefined;
  readonly url: string | undefined;
  readonly lifeCycleState: LifeCycleState;
  readonly resultState: ResultState | undefined;
  readonly stateMessage: string | undefined;
  readonly tasks: readonly RunTaskView[];
  /** Wall-clock ms of the last runs/get answer. */
  readonly atMs: number;
  readonly finished: boolean;
}

export type RunEvent =
  | { readonly type: 'run'; readonly snapshot: RunSnapshot }
  | { readonly type: 'task'; readonly task: RunTaskView; readonly snapshot: RunSnapshot }
  | { readonly type: 'finished'; readonly snapshot: RunSnapshot };

export interface RunFollowerOptions {
  readonly jobs: JobsClient;
  readonly runId: number;
  readonly clock?: Clock;
  /** Time between runs/get polls. @default 2000 */
  readonly pollMs?: number;
}

const FAILED_RESULTS: ReadonlySet<ResultState> = new Set(['FAILED', 'TIMEDOUT', 'CANCELED']);

/** Whether a run's result counts as success for the exit code. */
export function runSucceeded(snapshot: RunSnapshot): boolean {
  return snapshot.resultState === 'SUCCESS' || snapshot.resultState === 'SUCCESS_WITH_FAILURES'
    ? snapshot.tasks.every((t) => t.resultState === undefined || !FAILED_RESULTS.has(t.resultState))
    : false;
}

function view(run: Run, atMs: number, errors: ReadonlyMap<string, string>): RunSnapshot {
  return {
    runId: run.run_id,
    jobId: run.job_id,
    runName: run.run_name,
    url: run.run_page_url,
    lifeCycleState: run.state.life_cycle_state,
    resultState: run.state.result_state,
    stateMessage: run.state.state_message,
    tasks: (run.tasks ?? []).map((t) => ({
      taskKey: t.task_key,
      dependsOn: (t.depends_on ?? []).map((d) => d.task_key),
      lifeCycleState: t.state.life_cycle_state,
      resultState: t.state.result_state,
      startMs: t.start_time || undefined,
      endMs: t.end_time || undefined,
      attempt: t.attempt_number ?? 0,
      error: errors.get(t.task_key),
    })),
    atMs,
    finished: FINAL_LIFE_CYCLE_STATES.has(run.state.life_cycle_state),
  };
}

/**
 * Follows one job run through runs/get until it is final, emitting a `task` event whenever a task's life-cycle
 * or result state changes (and fetching a failed task's error from runs/get-output). Views subscribe and read
 * `getSnapshot()`; it never renders anything itself.
 */
export class RunFollower {
  private readonly options: RunFollowerOptions;
  private readonly clock: Clock;
  private readonly listeners = new Set<(event: RunEvent) => void>();
  private snapshot: RunSnapshot | undefined;
  private readonly errors = new Map<string, string>();
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(options: RunFollowerOptions) {
    this.options = options;
    this.clock = options.clock ?? systemClock;
  }

  subscribe(listener: (event: RunEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot(): RunSnapshot | undefined {
    return this.snapshot;
  }

  /** Stops following (the run itself goes on). */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  /** Polls until the run is final (or `stop()`); resolves with the last snapshot. */
  async follow(): Promise<RunSnapshot | undefined> {
    const pollMs = this.options.pollMs ?? 2000;
    for (;;) {
      const run = await this.options.jobs.getRun(this.options.runId);
      await this.fetchErrors(run);
      this.update(view(run, this.clock.now(), this.errors));
      if (this.snapshot?.finished || this.stopped) return this.snapshot;
      try {
        await this.clock.sleep(pollMs, this.abort.signal);
      } catch {
        return this.snapshot;
      }
      if (this.stopped) return this.snapshot;
    }
  }

  private async fetchErrors(run: Run): Promise<void> {
    for (const task of run.tasks ?? []) {
      const result = task.state.result_state;
      if (result === undefined || !FAILED_RESULTS.has(result) || this.errors.has(task.task_key)) continue;
      if (result === 'CANCELED') {
        this.errors.set(task.task_key, task.state.state_message || 'canceled');
        continue;
      }
      let message: string;
      try {
        const output = await this.options.jobs.getOutput(task.run_id);
        message = output.error ?? task.state.state_message ?? 'failed (no error message)';
      } catch (error) {
        message = `${task.state.state_message ?? 'failed'} (runs/get-output: ${(error as Error).message})`;
      }
      this.errors.set(task.task_key, message);
    }
  }

  private update(next: RunSnapshot): void {
    const previous = this.snapshot;
    this.snapshot = next;
    const before = new Map(previous?.tasks.map((t) => [t.taskKey, t]));
    if (
      previous === undefined ||
      previous.lifeCycleState !== next.lifeCycleState ||
      previous.resultState !== next.resultState
    ) {
      this.emit({ type: 'run', snapshot: next });
    }
    for (const task of next.tasks) {
      const old = before.get(task.taskKey);
      if (
        old === undefined ||
        old.lifeCycleState !== task.lifeCycleState ||
        old.resultState !== task.resultState ||
        old.attempt !== task.attempt
      ) {
        this.emit({ type: 'task', task, snapshot: next });
      }
    }
    if (next.finished && !previous?.finished) this.emit({ type: 'finished', snapshot: next });
  }

  private emit(event: RunEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** The plain line of a task change, e.g. `task silver  RUNNING` or `task gold  TERMINATED FAILED: …`. */
export function taskLine(task: RunTaskView): string {
  const result = task.resultState ? ` ${task.resultState}` : '';
  const attempt = task.attempt > 0 ? ` (retry ${task.attempt})` : '';
  const error = task.error ? `: ${task.error.split('\n')[0]}` : '';
  return `task ${task.taskKey.padEnd(18)} ${task.lifeCycleState}${result}${attempt}${error}`;
}

export function runLine(snapshot: RunSnapshot): string {
  const result = snapshot.resultState ? ` ${snapshot.resultState}` : '';
  const message = snapshot.stateMessage ? ` — ${snapshot.stateMessage}` : '';
  return `run ${snapshot.runId} (job ${snapshot.jobId}) ${snapshot.lifeCycleState}${result}${message}`;
}

/** The JSON line of an event (one object per line when piped with --json). */
export function runEventJson(event: RunEvent): string {
  if (event.type === 'task') {
    const t = event.task;
    return JSON.stringify({
      type: 'task',
      run_id: event.snapshot.runId,
      task_key: t.taskKey,
      life_cycle_state: t.lifeCycleState,
      result_state: t.resultState ?? null,
      attempt: t.attempt,
      error: t.error ?? null,
      at: new Date(event.snapshot.atMs).toISOString(),
    });
  }
  const s = event.snapshot;
  return JSON.stringify({
    type: event.type === 'finished' ? 'run_finished' : 'run',
    run_id: s.runId,
    job_id: s.jobId,
    life_cycle_state: s.lifeCycleState,
    result_state: s.resultState ?? null,
    state_message: s.stateMessage ?? null,
    url: s.url ?? null,
    at: new Date(s.atMs).toISOString(),
  });
}
