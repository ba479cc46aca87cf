import { ConfigError } from '../../errors.js';
import type { DatabricksRestClient } from './rest-client.js';

/** Jobs API 2.2 shapes brewline reads (the fields it uses; the service sends more). */
export type LifeCycleState =
  | 'QUEUED'
  | 'PENDING'
  | 'RUNNING'
  | 'TERMINATING'
  | 'TERMINATED'
  | 'SKIPPED'
  | 'INTERNAL_ERROR'
  | 'BLOCKED'
  | 'WAITING_FOR_RETRY';

export type ResultState =
  | 'SUCCESS'
  | 'FAILED'
  | 'TIMEDOUT'
  | 'CANCELED'
  | 'MAXIMUM_CONCURRENT_RUNS_REACHED'
  | 'EXCLUDED'
  | 'SUCCESS_WITH_FAILURES'
  | 'UPSTREAM_FAILED'
  | 'UPSTREAM_CANCELED'
  | 'DISABLED';

export interface RunState {
  readonly life_cycle_state: LifeCycleState;
  readonly result_state?: ResultState;
  readonly state_message?: string;
}

export interface RunTask {
  readonly task_key: string;
  readonly run_id: number;
  readonly state: RunState;
  readonly depends_on?: readonly { readonly task_key: string }[];
  readonly start_time?: number;
  readonly end_time?: number;
  readonly attempt_number?: number;
}

export interface Run {
  readonly run_id: number;
  readonly job_id: number;
  readonly run_name?: string;
  readonly run_page_url?: string;
  readonly state: RunState;
  readonly tasks?: readonly RunTask[];
  readonly start_time?: number;
  readonly end_time?: number;
  readonly next_page_token?: string;
}

export interface JobSummary {
  readonly job_id: number;
  readonly settings: { readonly name: string };
}

export interface RunOutput {
  readonly error?: string;
  readonly error_trace?: string;
  readonly notebook_output?: { readonly result?: string };
}

/** States after which a run or task changes no more. */
export const FINAL_LIFE_CYCLE_STATES: ReadonlySet<LifeCycleState> = new Set([
  'TERMINATED',
  'SKIPPED',
  'INTERNAL_ERROR',
]);

/** Jobs API 2.2: find a job by name, start it, follow it, cancel it, read a failed task's error. */
export class JobsClient {
  constructor(private readonly rest: DatabricksRestClient) {}

  /** Jobs whose name is exactly `name` (jobs/list filters by name; paged past 100). */
  async findByName(name: string): Promise<JobSummary[]> {
    const found: JobSummary[] = [];
    let pageToken: string | undefined;
    do {
      const page = await this.rest.get<{ jobs?: JobSummary[]; next_page_token?: string }>(
        '/api/2.2/jobs/list',
        {
          name,
          limit: 100,
          page_token: pageToken,
        },
      );
      found.push(...(page.jobs ?? []).filter((j) => j.settings.name === name));
      pageToken = page.next_page_token;
    } while (pageToken);
    return found;
  }

  /** The one job of that name; a clear line when there is none or several. */
  async jobIdByName(name: string): Promise<number> {
    const jobs = await this.findByName(name);
    if (jobs.length === 0) {
      throw new ConfigError(`no job named "${name}" in ${this.rest.host}`, {
        hint: 'deploy the bundle (`databricks bundle deploy -t prod` in databricks/), or pass --job with the deployed name (dev mode prefixes it, e.g. "[dev you] brewline-medallion")',
      });
    }
    if (jobs.length > 1) {
      throw new ConfigError(
        `${jobs.length} jobs are named "${name}" (ids ${jobs.map((j) => j.job_id).join(', ')})`,
        {
          hint: 'pass --job with the numeric job id',
        },
      );
    }
    return jobs[0]!.job_id;
  }

  async runNow(jobId: number): Promise<{ run_id: number; number_in_job?: number }> {
    return this.rest.post('/api/2.2/jobs/run-now', { job_id: jobId });
  }

  /** The run with every task (runs/get pages its task list past 100 tasks). */
  async getRun(runId: number): Promise<Run> {
    const first = await this.rest.get<Run>('/api/2.2/jobs/runs/get', { run_id: runId });
    const tasks = [...(first.tasks ?? [])];
    let token = first.next_page_token;
    while (token) {
      const page = await this.rest.get<Run>('/api/2.2/jobs/runs/get', { run_id: runId, page_token: token });
      tasks.push(...(page.tasks ?? []));
      token = page.next_page_token;
    }
    return { ...first, tasks };
  }

  async cancelRun(runId: number): Promise<void> {
    await this.rest.post('/api/2.2/jobs/runs/cancel', { run_id: runId });
  }

  /** The output of one task run (its `run_id`, not the job run's): carries `error` for a failed task. */
  async getOutput(taskRunId: number): Promise<RunOutput> {
    return this.rest.get<RunOutput>('/api/2.2/jobs/runs/get-output', { run_id: taskRunId });
  }
}
