import { http, HttpResponse, type HttpHandler } from 'msw';
import type { FakeThriftWarehouse } from './thrift-warehouse.js';

/**
 * An Azure Databricks workspace at the protocol level, as msw handlers: the OAuth token endpoint
 * (`/oidc/v1/token`, JWT-shaped tokens), bearer checks on every call, SQL Warehouses 2.0 (get/start with a
 * STOPPED → STARTING → RUNNING life), Jobs 2.2 (list by name, run-now, runs/get following a scripted DAG
 * timeline, runs/cancel, runs/get-output) and the Thrift SQL endpoint handed to a FakeThriftWarehouse. Every
 * response carries content-length (msw 2.15 + keep-alive hang without it).
 */

export const FAKE_HOST = 'https://adb-1234567890123456.7.azuredatabricks.net';

export interface FakeTaskDef {
  readonly task_key: string;
  readonly depends_on?: readonly string[];
}

/** The bundle's medallion DAG: bronze → silver → gold → three SQL summaries → the dashboard refresh. */
export const MEDALLION_TASKS: readonly FakeTaskDef[] = [
  { task_key: 'bronze' },
  { task_key: 'silver', depends_on: ['bronze'] },
  { task_key: 'gold', depends_on: ['silver'] },
  { task_key: 'branch_summary', depends_on: ['gold'] },
  { task_key: 'product_summary', depends_on: ['gold'] },
  { task_key: 'hourly_summary', depends_on: ['gold'] },
  { task_key: 'refresh_dashboard', depends_on: ['branch_summary', 'product_summary', 'hourly_summary'] },
];

interface TaskState {
  life_cycle_state: string;
  result_state?: string;
  state_message?: string;
}

interface FakeRun {
  run_id: number;
  job_id: number;
  tasks: {
    task_key: string;
    run_id: number;
    depends_on: readonly string[];
    state: TaskState;
    start_time: number;
    end_time: number;
  }[];
  state: TaskState;
  /** Index into the timeline; each runs/get moves one step on. */
  step: number;
  timeline: { run: TaskState; tasks: Record<string, TaskState> }[];
  canceled: boolean;
}

export interface FakeJob {
  readonly job_id: number;
  readonly name: string;
  readonly tasks: readonly FakeTaskDef[];
  /** A task that fails (with `failure` as its error), downstream tasks UPSTREAM_FAILED. */
  failTask?: string;
  failure?: string;
}

export interface FakeWarehouseState {
  readonly id: string;
  readonly name: string;
  state: 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'DELETED';
  /** GETs a STARTING warehouse needs before it is RUNNING. */
  startingPolls: number;
  readonly sql: FakeThriftWarehouse | undefined;
}

function base64url(text: string): string {
  return Buffer.from(text).toString('base64url');
}

/** A JWT-shaped access token (the SQL client decodes `exp`). Not signed: nobody here checks signatures. */
export function jwt(claims: Record<string, unknown>): string {
  return `${base64url(JSON.stringify({ alg: 'RS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}.c2ln`;
}

function json(body: unknown, status = 200): HttpResponse<string> {
  const text = JSON.stringify(body);
  return new HttpResponse(text, {
    status,
    headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) },
  });
}

function apiError(status: number, error_code: string, message: string): HttpResponse<string> {
  return json({ error_code, message }, status);
}

/** Builds the DAG's timeline: each step is one runs/get answer. */
function timeline(job: FakeJob): FakeRun['timeline'] {
  const steps: FakeRun['timeline'] = [];
  const tasks: Record<string, TaskState> = {};
  for (const t of job.tasks) tasks[t.task_key] = { life_cycle_state: 'PENDING' };
  const snap = (run: TaskState): void => {
    steps.push({
      run: { ...run },
      tasks: Object.fromEntries(Object.entries(tasks).map(([k, v]) => [k, { ...v }])),
    });
  };
  snap({ life_cycle_state: 'QUEUED', state_message: 'Waiting for compute' });
  snap({ life_cycle_state: 'PENDING', state_message: 'Starting the job cluster' });
  const done = new Set<string>();
  const failed = new Set<string>();
  let remaining = [...job.tasks];
  while (remaining.length > 0) {
    const ready = remaining.filter((t) => (t.depends_on ?? []).every((d) => done.has(d) || failed.has(d)));
    for (const t of ready) {
      const upstreamFailed = (t.depends_on ?? []).some((d) => failed.has(d));
      if (upstreamFailed) {
        tasks[t.task_key] = {
          life_cycle_state: 'TERMINATED',
          result_state: 'UPSTREAM_FAILED',
          state_message: 'Upstream task failed',
        };
        failed.add(t.task_key);
      } else {
        tasks[t.task_key] = { life_cycle_state: 'RUNNING' };
      }
    }
    if (ready.some((t) => tasks[t.task_key]!.life_cycle_state === 'RUNNING'))
      snap({ life_cycle_state: 'RUNNING' });
    for (const t of ready) {
      if (tasks[t.task_key]!.life_cycle_state !== 'RUNNING') continue;
      if (job.failTask === t.task_key) {
        tasks[t.task_key] = {
          life_cycle_state: 'TERMINATED',
          result_state: 'FAILED',
          state_message: 'Workload failed, see run output for details',
        };
        failed.add(t.task_key);
      } else {
        tasks[t.task_key] = { life_cycle_state: 'TERMINATED', result_state: 'SUCCESS' };
        done.add(t.task_key);
      }
    }
    remaining = remaining.filter((t) => !ready.includes(t));
  }
  const anyFailed = failed.size > 0;
  snap({ life_cycle_state: 'TERMINATING' });
  snap({
    life_cycle_state: 'TERMINATED',
    result_state: anyFailed ? 'FAILED' : 'SUCCESS',
    state_message: anyFailed ? `${failed.size} of ${job.tasks.length} tasks failed` : '',
  });
  return steps;
}

export class FakeWorkspace {
  readonly host: string;
  /** Valid personal access tokens. */
  readonly pats = new Set<string>();
  /** OAuth M2M service principals: client id → secret. */
  readonly oauthClients = new Map<string, string>();
  /** Tokens issued by /oidc/v1/token or accepted from Entra ID (fake tenant), valid for bearer auth. */
  readonly issuedTokens = new Set<string>();
  readonly warehouses = new Map<string, FakeWarehouseState>();
  readonly jobs = new Map<number, FakeJob>();
  readonly runs = new Map<number, FakeRun>();
  /** Every request the workspace saw: method, path, the bearer kind (never the token itself). */
  readonly requests: { method: string; path: string; auth: 'pat' | 'oauth' | 'entra' | 'none' | 'bad' }[] =
    [];
  /** Microsoft Entra ID applications of the fake tenant: `tenant/clientId` → secret. */
  readonly entraApps = new Map<string, string>();
  /** Tokens issued by the fake Entra ID token endpoint. */
  readonly entraTokens = new Set<string>();
  entraTokenRequests = 0;
  tokenRequests = 0;
  /** Token lifetime for issued OAuth tokens, in seconds. */
  tokenLifetimeS = 3600;
  private nextRunId = 9000;
  private nextTaskRunId = 9500;

  constructor(host = FAKE_HOST) {
    this.host = host;
  }

  addWarehouse(
    id: string,
    options: {
      name?: string;
      state?: FakeWarehouseState['state'];
      startingPolls?: number;
      sql?: FakeThriftWarehouse;
    } = {},
  ): FakeWarehouseState {
    const w: FakeWarehouseState = {
      id,
      name: options.name ?? `warehouse ${id}`,
      state: options.state ?? 'RUNNING',
      startingPolls: options.startingPolls ?? 2,
      sql: options.sql,
    };
    this.warehouses.set(id, w);
    return w;
  }

  addJob(job: FakeJob): FakeJob {
    this.jobs.set(job.job_id, job);
    return job;
  }

  /** The bearer kind of a request, or undefined when it is refused. */
  private authorise(request: Request, path: string): 'pat' | 'oauth' | 'entra' | undefined {
    const header = request.headers.get('authorization') ?? '';
    const token = header.startsWith('Bearer ') ? header.slice(7) : undefined;
    const kind =
      token === undefined
        ? 'none'
        : this.pats.has(token)
          ? 'pat'
          : this.issuedTokens.has(token)
            ? 'oauth'
            : this.entraTokens.has(token)
              ? 'entra'
              : 'bad';
    this.requests.push({ method: request.method, path, auth: kind });
    return kind === 'none' || kind === 'bad' ? undefined : kind;
  }

  private snapshotRun(run: FakeRun): Record<string, unknown> {
    const step = run.timeline[Math.min(run.step, run.timeline.length - 1)]!;
    if (!run.canceled) {
      run.state = step.run;
      for (const t of run.tasks) t.state = step.tasks[t.task_key] ?? t.state;
    }
    return {
      run_id: run.run_id,
      job_id: run.job_id,
      run_name: this.jobs.get(run.job_id)?.name,
      run_page_url: `${this.host}/#job/${run.job_id}/run/${run.run_id}`,
      state: run.state,
      tasks: run.tasks.map((t) => ({
        task_key: t.task_key,
        run_id: t.run_id,
        depends_on: t.depends_on.map((d) => ({ task_key: d })),
        state: t.state,
        start_time: t.state.life_cycle_state === 'PENDING' ? 0 : t.start_time,
        end_time: t.state.life_cycle_state === 'TERMINATED' ? t.end_time : 0,
        attempt_number: 0,
      })),
    };
  }

  handlers(): HttpHandler[] {
    const h = this.host;
    return [
      // Microsoft Entra ID's v2 token endpoint (client credentials), as MSAL under DefaultAzureCredential calls it.
      http.post(
        'https://login.microsoftonline.com/:tenant/oauth2/v2.0/token',
        async ({ request, params }) => {
          this.entraTokenRequests++;
          const form = new URLSearchParams(await request.text());
          const key = `${String(params['tenant'])}/${form.get('client_id') ?? ''}`;
          if (this.entraApps.get(key) !== form.get('client_secret')) {
            return json(
              {
                error: 'invalid_client',
                error_description: 'AADSTS7000215: Invalid client secret provided.',
              },
              401,
            );
          }
          if (form.get('scope') !== '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default') {
            return json({ error: 'invalid_scope', error_description: 'AADSTS70011: wrong scope' }, 400);
          }
          const now = Math.floor(Date.now() / 1000);
          const token = jwt({
            aud: '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d',
            tid: params['tenant'],
            appid: form.get('client_id'),
            iat: now,
            exp: now + 3600,
          });
          this.entraTokens.add(token);
          return json({ token_type: 'Bearer', expires_in: 3600, ext_expires_in: 3600, access_token: token });
        },
      ),
      http.post(`${h}/oidc/v1/token`, async ({ request }) => {
        this.tokenRequests++;
        const basic = (request.headers.get('authorization') ?? '').replace(/^Basic /, '');
        const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':').map(decodeURIComponent);
        const form = new URLSearchParams(await request.text());
        if (form.get('grant_type') !== 'client_credentials' || form.get('scope') !== 'all-apis') {
          return json(
            {
              error: 'invalid_request',
              error_description: 'grant_type client_credentials and scope all-apis required',
            },
            400,
          );
        }
        if (id === undefined || this.oauthClients.get(id) !== secret) {
          return json({ error: 'invalid_client', error_description: 'Client authentication failed' }, 401);
        }
        const now = Math.floor(Date.now() / 1000);
        const token = jwt({
          sub: id,
          aud: this.host,
          iat: now,
          exp: now + this.tokenLifetimeS,
          scope: 'all-apis',
        });
        this.issuedTokens.add(token);
        return json({
          access_token: token,
          token_type: 'Bearer',
          expires_in: this.tokenLifetimeS,
          scope: 'all-apis',
        });
      }),
      http.get(`${h}/api/2.0/sql/warehouses/:id`, ({ request, params }) => {
        if (!this.authorise(request, `/api/2.0/sql/warehouses/${String(params['id'])}`))
          return apiError(401, 'UNAUTHENTICATED', 'Invalid access token.');
        const w = this.warehouses.get(String(params['id']));
        if (!w)
          return apiError(
            404,
            'RESOURCE_DOES_NOT_EXIST',
            `Warehouse ${String(params['id'])} does not exist.`,
          );
        if (w.state === 'STARTING') {
          if (w.startingPolls <= 0) w.state = 'RUNNING';
          else w.startingPolls--;
        }
        return json({
          id: w.id,
          name: w.name,
          state: w.state,
          odbc_params: {
            hostname: new URL(h).hostname,
            path: `/sql/1.0/warehouses/${w.id}`,
            protocol: 'https',
            port: 443,
          },
        });
      }),
      http.post(`${h}/api/2.0/sql/warehouses/:id/start`, ({ request, params }) => {
        if (!this.authorise(request, `/api/2.0/sql/warehouses/${String(params['id'])}/start`))
          return apiError(401, 'UNAUTHENTICATED', 'Invalid access token.');
        const w = this.warehouses.get(String(params['id']));
        if (!w) return apiError(404, 'RESOURCE_DOES_NOT_EXIST', 'no such warehouse');
        if (w.state === 'STOPPED' || w.state === 'STOPPING') w.state = 'STARTING';
        return json({});
      }),
      http.post(`${h}/sql/1.0/warehouses/:id`, async ({ request, params }) => {
        if (!this.authorise(request, `/sql/1.0/warehouses/${String(params['id'])}`)) {
          return new HttpResponse('Unauthorized', { status: 401, headers: { 'content-length': '12' } });
        }
        const w = this.warehouses.get(String(params['id']));
        if (!w || !w.sql)
          return new HttpResponse('Not Found', { status: 404, headers: { 'content-length': '9' } });
        if (w.state !== 'RUNNING') {
          const text = 'TEMPORARILY_UNAVAILABLE: warehouse is not running';
          return new HttpResponse(text, {
            status: 503,
            headers: { 'content-length': String(text.length), 'retry-after': '1' },
          });
        }
        const out = await w.sql.handle(Buffer.from(await request.arrayBuffer()));
        return new HttpResponse(new Uint8Array(out), {
          status: 200,
          headers: { 'content-type': 'application/x-thrift', 'content-length': String(out.length) },
        });
      }),
      http.get(`${h}/api/2.2/jobs/list`, ({ request }) => {
        if (!this.authorise(request, '/api/2.2/jobs/list'))
          return apiError(401, 'UNAUTHENTICATED', 'Invalid access token.');
        const url = new URL(request.url);
        const name = url.searchParams.get('name');
        const all = [...this.jobs.values()].filter(
          (j) => name === null || j.name.toLowerCase() === name.toLowerCase(),
        );
        const limit = Number(url.searchParams.get('limit') ?? 20);
        const offset = Number(url.searchParams.get('page_token') ?? 0);
        const page = all.slice(offset, offset + limit);
        const more = offset + limit < all.length;
        return json({
          jobs: page.map((j) => ({ job_id: j.job_id, settings: { name: j.name } })),
          has_more: more,
          ...(more ? { next_page_token: String(offset + limit) } : {}),
        });
      }),
      http.post(`${h}/api/2.2/jobs/run-now`, async ({ request }) => {
        if (!this.authorise(request, '/api/2.2/jobs/run-now'))
          return apiError(401, 'UNAUTHENTICATED', 'Invalid access token.');
        const body = (await request.json()) as { job_id?: number };
        const job = this.jobs.get(Number(body.job_id));
        if (!job)
          return apiError(400, 'INVALID_PARAMETER_VALUE', `Job ${String(body.job_id)} does not exist.`);
        const run_id = this.nextRunId++;
        const now = Date.now();
        this.runs.set(run_id, {
          run_id,
          job_id: job.job_id,
          tasks: job.tasks.map((t) => ({
            task_key: t.task_key,
            run_id: this.nextTaskRunId++,
            depends_on: t.depends_on ?? [],
            state: { life_cycle_state: 'PENDING' },
            start_time: now,
            end_time: now + 1000,
          })),
          state: { life_cycle_state: 'QUEUED' },
          step: 0,
          timeline: timeline(job),
          canceled: false,
        });
        return json({ run_id, number_in_job: run_id });
      }),
      http.get(`${h}/api/2.2/jobs/runs/get`, ({ request }) => {
        if (!this.authorise(request, '/api/2.2/jobs/runs/get'))
          return apiError(401, 'UNAUTHENTICATED', 'Invalid access token.');
        const run = this.runs.get(Number(new URL(request.url).searchParams.get('run_id')));
        if (!run) return apiError(400, 'INVALID_PARAMETER_VALUE', 'Run does not exist.');
        const body = this.snapshotRun(run);
        run.step++;
        return json(body);
      }),
      http.post(`${h}/api/2.2/jobs/runs/cancel`, async ({ request }) => {
        if (!this.authorise(request, '/api/2.2/jobs/runs/cancel'))
          return apiError(401, 'UNAUTHENTICATED', 'Invalid access token.');
        const body = (await request.json()) as { run_id?: number };
        const run = this.runs.get(Number(body.run_id));
        if (!run) return apiError(400, 'INVALID_PARAMETER_VALUE', 'Run does not exist.');
        run.canceled = true;
        run.state = {
          life_cycle_state: 'TERMINATED',
          result_state: 'CANCELED',
          state_message: 'Run cancelled by brewline',
        };
        for (const t of run.tasks) {
          if (t.state.life_cycle_state !== 'TERMINATED')
            t.state = { life_cycle_state: 'TERMINATED', result_state: 'CANCELED' };
        }
        return json({});
      }),
      http.get(`${h}/api/2.2/jobs/runs/get-output`, ({ request }) => {
        if (!this.authorise(request, '/api/2.2/jobs/runs/get-output'))
          return apiError(401, 'UNAUTHENTICATED', 'Invalid access token.');
        const taskRunId = Number(new URL(request.url).searchParams.get('run_id'));
        for (const run of this.runs.values()) {
          const task = run.tasks.find((t) => t.run_id === taskRunId);
          if (!task) continue;
          const job = this.jobs.get(run.job_id)!;
          if (task.state.result_state === 'FAILED') {
            return json({
              error: job.failure ?? 'failed',
              error_trace: `Traceback (most recent call last):\n  ${job.failure ?? ''}`,
              metadata: { run_id: taskRunId },
            });
          }
          return json({ metadata: { run_id: taskRunId } });
        }
        return apiError(400, 'INVALID_PARAMETER_VALUE', 'Run output does not exist.');
      }),
    ];
  }
}
