import { setupServer } from 'msw/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FAKE_HOST, FakeWorkspace, MEDALLION_TASKS } from '../fakes/databricks/fake-workspace.js';
import { runBrewline } from '../fakes/databricks/in-process-cli.js';

const PAT = 'dapi0123456789abcdef0123456789abcdef';
const workspace = new FakeWorkspace();
const server = setupServer(...workspace.handlers());
const ENV = {
  DATABRICKS_HOST: FAKE_HOST,
  DATABRICKS_TOKEN: PAT,
  DATABRICKS_CONFIG_FILE: '/nonexistent/.databrickscfg',
  DATABRICKS_CONFIG_PROFILE: undefined,
  DATABRICKS_CLIENT_ID: undefined,
  DATABRICKS_CLIENT_SECRET: undefined,
};

beforeAll(() => {
  workspace.pats.add(PAT);
  workspace.addJob({ job_id: 101, name: 'brewline-medallion', tasks: MEDALLION_TASKS });
  workspace.addJob({
    job_id: 102,
    name: 'brewline-medallion-broken',
    tasks: MEDALLION_TASKS,
    failTask: 'silver',
    failure:
      'AnalysisException: [TABLE_OR_VIEW_NOT_FOUND] The table or view `himalayan_java`.`bronze`.`orders_raw` cannot be found.',
  });
  server.listen({ onUnhandledRequest: 'error' });
});
beforeEach(() => {
  workspace.requests.length = 0;
});
afterAll(() => server.close());

describe('brewline pipeline run --engine databricks (Jobs API 2.2 fake)', () => {
  it('starts the bundle job and follows it from QUEUED to TERMINATED through the fan-out of three SQL tasks', async () => {
    const { status, stdout, stderr } = await runBrewline(
      ['pipeline', 'run', '--engine', 'databricks', '--poll', '1ms'],
      ENV,
    );
    expect(stderr).toContain('started run');
    expect(status).toBe(0);
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^run \d+ \(job 101\) QUEUED/);
    expect(lines).toContainEqual(expect.stringMatching(/^run \d+ \(job 101\) PENDING/));
    expect(lines.at(-1)).toMatch(/^run \d+ \(job 101\) TERMINATED SUCCESS/);
    // The three summaries run together: RUNNING in the same runs/get answer, after gold succeeded, before the dashboard.
    const index = (re: RegExp): number => lines.findIndex((l) => re.test(l));
    const goldDone = index(/^task gold +TERMINATED SUCCESS/);
    const summaries = ['branch_summary', 'product_summary', 'hourly_summary'].map((k) =>
      index(new RegExp(`^task ${k} +RUNNING`)),
    );
    const dashboard = index(/^task refresh_dashboard +RUNNING/);
    expect(goldDone).toBeGreaterThan(index(/^task silver +TERMINATED SUCCESS/));
    for (const i of summaries) {
      expect(i).toBeGreaterThan(goldDone);
      expect(i).toBeLessThan(dashboard);
    }
    expect(Math.max(...summaries) - Math.min(...summaries)).toBe(2);
    expect(lines).toContainEqual(expect.stringMatching(/^task refresh_dashboard +TERMINATED SUCCESS/));
    expect(stderr).toMatch(/run \d+ succeeded: 7 tasks/);
    expect(workspace.requests.filter((r) => r.path === '/api/2.2/jobs/run-now')).toHaveLength(1);
    expect(workspace.requests.every((r) => r.auth === 'pat')).toBe(true);
    expect(stdout + stderr).not.toContain(PAT);
  });

  it('reports a failed task with its error from runs/get-output and exits non-zero', async () => {
    const { status, stdout, stderr } = await runBrewline(
      ['pipeline', 'run', '--engine', 'databricks', '--job', 'brewline-medallion-broken', '--poll', '1ms'],
      ENV,
    );
    expect(status).toBe(1);
    expect(stdout).toMatch(/task silver +TERMINATED FAILED: AnalysisException: \[TABLE_OR_VIEW_NOT_FOUND\]/);
    expect(stdout).toMatch(/task gold +TERMINATED UPSTREAM_FAILED/);
    expect(stderr).toMatch(/^task silver FAILED: AnalysisException/m);
    expect(stderr).toMatch(/run \d+ TERMINATED FAILED/);
    expect(workspace.requests.some((r) => r.path === '/api/2.2/jobs/runs/get-output')).toBe(true);
  });

  it('prints one JSON object per change with --json', async () => {
    const { status, stdout } = await runBrewline(
      ['pipeline', 'run', '--engine', 'databricks', '--job', '101', '--json', '--poll', '1ms'],
      ENV,
    );
    expect(status).toBe(0);
    const events = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events[0]).toMatchObject({ type: 'run', job_id: 101, life_cycle_state: 'QUEUED' });
    expect(events.at(-1)).toMatchObject({ type: 'run_finished', result_state: 'SUCCESS' });
    expect(events.filter((e) => e['type'] === 'task' && e['result_state'] === 'SUCCESS')).toHaveLength(7);
  });

  it('an unknown job name is one line saying what to do', async () => {
    const { status, stderr } = await runBrewline(
      ['pipeline', 'run', '--engine', 'databricks', '--job', 'nope'],
      ENV,
    );
    expect(status).toBe(2);
    expect(stderr).toMatch(/no job named "nope"/);
    expect(stderr).toMatch(/databricks bundle deploy/);
  });

  it('a refused token is one line saying what to do, without the token', async () => {
    const bad = 'dapiffffffffffffffffffffffffffffffff';
    const { status, stderr } = await runBrewline(['pipeline', 'run', '--engine', 'databricks'], {
      ...ENV,
      DATABRICKS_TOKEN: bad,
    });
    expect(status).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /Databricks refused the token for https:\/\/adb-.* \(HTTP 401\): create a new personal access token/,
    );
    expect(stderr).not.toContain(bad);
  });
});

describe('Ctrl+C while following a Databricks run', () => {
  async function interruptWhenRunning(
    cancelOnExit: boolean,
  ): Promise<{ code: number; err: string[]; runId: number }> {
    const { runDatabricksPipeline } = await import('../../src/commands/pipeline-databricks.js');
    let interrupt: (() => void) | undefined;
    const err: string[] = [];
    const code = await runDatabricksPipeline(
      { format: 'plain', poll: '1ms', cancelOnExit },
      {
        env: { DATABRICKS_HOST: FAKE_HOST, DATABRICKS_TOKEN: PAT, DATABRICKS_CONFIG_FILE: '/nonexistent' },
        stdout: (line) => {
          if (/^task bronze +RUNNING/.test(line)) interrupt?.();
        },
        stderr: (line) => err.push(line),
        onInterrupt: (handler) => {
          interrupt = handler;
          return () => (interrupt = undefined);
        },
      },
    );
    const runId = Number(/started run (\d+)/.exec(err[0] ?? '')?.[1]);
    return { code, err, runId };
  }

  it('leaves the run going by default', async () => {
    const { code, err, runId } = await interruptWhenRunning(false);
    expect(code).toBe(130);
    expect(err.at(-1)).toMatch(new RegExp(`run ${runId} keeps going on Databricks .*--cancel-on-exit`));
    expect(workspace.runs.get(runId)?.canceled).toBe(false);
    expect(workspace.requests.some((r) => r.path === '/api/2.2/jobs/runs/cancel')).toBe(false);
  });

  it('cancels it with --cancel-on-exit', async () => {
    const { code, err, runId } = await interruptWhenRunning(true);
    expect(code).toBe(130);
    expect(err.at(-1)).toMatch(new RegExp(`cancelled run ${runId}`));
    expect(workspace.runs.get(runId)?.canceled).toBe(true);
  });
});
