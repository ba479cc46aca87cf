import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { VerifyReport } from '../../src/verify/compare.js';
import { EventHubsTestServer } from '../fakes/eventhubs-server.js';
import { REPO, removeTempDir, spawnCli, tempDir, type CliExit, type CliProcess } from '../helpers/cli.js';

/**
 * Acceptance over real processes: `brewline simulate --sink eventhubs` and `brewline pipeline run --source
 * eventhubs` talk AMQP to the protocol-level test server (this process), then `brewline verify` compares the
 * lakehouse with the simulator's ledger. EH_E2E_ORDERS scales the run (default 100,000 as in the issue).
 */
const ORDERS = Number(process.env['EH_E2E_ORDERS'] ?? 100_000);
const FAULTS = 'late=0.02,very_late=0.005,duplicate=0.01,malformed=0.002,invalid=0.002,oversize=0.001';

/** The CLI in the background: the AMQP test server it talks to lives in this process. */
function start(args: string[], env: Record<string, string>): CliProcess {
  return spawnCli(args, { cwd: REPO, env: { ...env, NO_COLOR: '1' } });
}

describe('Event Hubs end to end (simulate → AMQP test server → pipeline → verify)', () => {
  let server: EventHubsTestServer;
  let dir: string;
  const children: CliProcess[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map((child) => child.stop()));
    await server?.stop();
    removeTempDir(dir);
  });

  async function acceptance(
    inject: boolean,
  ): Promise<{ simulate: Record<string, unknown>; verify: CliExit; report: VerifyReport }> {
    server = await EventHubsTestServer.start({ hubs: { orders: 4 } });
    dir = tempDir('eh');
    const env = { EVENTHUB_CONNECTION_STRING: server.connectionString('orders') };
    const lake = ['--lakehouse', join(dir, 'lake.duckdb'), '--checkpoint', join(dir, 'checkpoint')];
    // Given the pipeline streaming from Event Hubs
    const pipeline = start(['pipeline', 'run', '--source', 'eventhubs', '--trigger', '500ms', ...lake], env);
    children.push(pipeline);
    // When the simulator sends ORDERS orders with every fault kind (and, optionally, the service misbehaves)
    const timers: NodeJS.Timeout[] = [];
    if (inject) {
      // A namespace of 1 throughput unit: the simulator at full speed meets ServerBusy whenever it bursts.
      server.setThroughputUnits(1);
      timers.push(setInterval(() => server.dropConnections(), 3_000));
    }
    // A send into a connection that just died waits for the operation timeout: keep it short here.
    const config = join(dir, 'brewline.config.json');
    writeFileSync(config, JSON.stringify({ sink: { kind: 'eventhubs', timeoutMs: 5_000 } }));
    const sim = start(
      [
        '--config',
        config,
        'simulate',
        '--sink',
        'eventhubs',
        '--orders',
        String(ORDERS),
        '--speed',
        'max',
        '--faults',
        FAULTS,
        '--ledger',
        join(dir, 'ledger.json'),
        '--json',
      ],
      env,
    );
    children.push(sim);
    const simRun = await sim.exited;
    for (const t of timers) clearInterval(t);
    expect(simRun.stderr, simRun.stderr).not.toMatch(/internal error/);
    expect(simRun.code, simRun.stderr).toBe(0);
    const summary = JSON.parse(simRun.stdout) as Record<string, unknown>;
    // every order was sent: a send that failed for good is an error exit, never a quiet early end
    expect(summary['status'], simRun.stderr).toBe('finished');
    // Then the streaming pipeline stops cleanly on SIGINT (finishing its batch) …
    const pipeRun = await pipeline.stop('SIGINT');
    expect(pipeRun.code, pipeRun.stderr).toBe(0);
    // … and a bounded run from the same checkpoint reads exactly what the first had not reached
    const rest = await start(['pipeline', 'run', '--source', 'eventhubs', '--available-now', ...lake], env)
      .exited;
    expect(rest.code, rest.stderr).toBe(0);
    const verify = await start(
      ['verify', '--ledger', join(dir, 'ledger.json'), '--lakehouse', join(dir, 'lake.duckdb'), '--json'],
      env,
    ).exited;
    expect(verify.stderr).not.toMatch(/internal error/);
    const report = JSON.parse(verify.stdout) as VerifyReport;
    // The figures of the run, for the record (vitest shows them with the test).
    console.log(
      `eventhubs e2e${inject ? ' (throttling + drops)' : ''}: ${ORDERS} orders, ` +
        `${String(summary['messages_per_second'])} msg/s, throttled ${String(summary['throttled'])}, ` +
        `server batches ${server.stats.batches}, throttled ${server.stats.throttled}, dropped ${server.stats.dropped}, ` +
        `differences ${report.differences.length} (${[...new Set(report.differences.map((d) => d.table))].join(', ') || 'none'})`,
    );
    return { simulate: summary, verify, report };
  }

  it('verifies with zero differences after a clean run', async () => {
    const { simulate, verify, report } = await acceptance(false);
    expect(report.differences).toEqual([]);
    expect(verify.code).toBe(0);
    expect(simulate['throttled']).toBe(0);
    expect((simulate['messages'] as { rejected: number }).rejected).toBeGreaterThan(0);
  }, 600_000);

  it('verifies gold with zero differences while the service throttles and drops connections', async () => {
    const { simulate, report } = await acceptance(true);
    // The simulator met the throttling and says so; gold is exact. (Bronze may hold a batch twice when a
    // connection died between the service storing it and the client hearing so: at-least-once delivery
    // that silver's dedup absorbs.)
    expect(simulate['throttled'] as number).toBeGreaterThan(0);
    expect(report.differences.slice(0, 10), JSON.stringify(report.checks)).toEqual(
      report.differences.filter((d) => !d.table.startsWith('gold.')).slice(0, 10),
    );
    expect(report.checks.find((c) => c.name === 'gold tables')).toMatchObject({ ok: true });
    expect(report.differences.filter((d) => d.table.startsWith('gold.'))).toEqual([]);
    expect(server.stats.dropped).toBeGreaterThan(0);
  }, 600_000);
});
