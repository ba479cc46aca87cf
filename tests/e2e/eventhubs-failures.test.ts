import { createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EventHubsTestServer } from '../fakes/eventhubs-server.js';
import { removeTempDir, spawnCli, tempDir, waitFor, type CliExit, type CliProcess } from '../helpers/cli.js';

/**
 * Event Hubs failures must surface as one line, promptly (issue 10 item 7): a wrong key, an endpoint nothing
 * answers, and a stop signal while retrying. The bounds below are generous ceilings for a loaded machine;
 * the failure they catch is a process that never says anything and never exits.
 */
const FAIL_WITHIN_MS = 45_000;
const EXIT_AFTER_SIGNAL_MS = 20_000;

describe('Event Hubs source failures (issue 10 item 7)', () => {
  let server: EventHubsTestServer | undefined;
  let silent: Server | undefined;
  const sockets = new Set<Socket>();
  let dir: string | undefined;
  const children: CliProcess[] = [];

  afterEach(async () => {
    await Promise.all(children.splice(0).map((c) => c.stop()));
    await server?.stop();
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (silent ? silent.close(() => resolve()) : resolve()));
    silent = undefined;
    removeTempDir(dir);
    dir = undefined;
  });

  function start(args: string[], env: Record<string, string>): CliProcess {
    dir ??= tempDir('eh-failures');
    const lake = args[0] === 'pipeline' ? ['--lakehouse', join(dir, 'lake.duckdb')] : [];
    const checkpoint = args[0] === 'monitor' ? [] : ['--checkpoint', join(dir, 'checkpoint')];
    const child = spawnCli([...args, ...lake, ...checkpoint], {
      cwd: dir,
      env: { ...env, NO_COLOR: '1' },
    });
    children.push(child);
    return child;
  }

  async function exitOf(child: CliProcess, withinMs: number, what: string): Promise<CliExit> {
    let exit: CliExit | undefined;
    void child.exited.then((e) => (exit = e));
    return waitFor(() => exit, { timeoutMs: withinMs, what, detail: () => child.stderr });
  }

  async function wrongKeyEnv(): Promise<Record<string, string>> {
    server = await EventHubsTestServer.start({ hubs: { orders: 2 } });
    return { EVENTHUB_CONNECTION_STRING: server.connectionString('orders', { key: 'not-the-key' }) };
  }

  /** An address that accepts TCP connections and never speaks AMQP: an endpoint that does not answer. */
  async function silentEnv(): Promise<Record<string, string>> {
    silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent!.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    return {
      EVENTHUB_CONNECTION_STRING: `Endpoint=sb://127.0.0.1:${port};SharedAccessKeyName=k;SharedAccessKey=v;UseDevelopmentEmulator=true;EntityPath=orders`,
    };
  }

  it('pipeline run with a wrong key fails with one line naming the credentials', async () => {
    const child = start(
      ['pipeline', 'run', '--source', 'eventhubs', '--trigger', '500ms'],
      await wrongKeyEnv(),
    );
    const exit = await exitOf(child, FAIL_WITHIN_MS, 'pipeline run to fail on a wrong key');
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/Event Hubs refused the credentials/);
    expect(exit.stderr).toMatch(/hint: check SharedAccessKeyName and SharedAccessKey/);
    expect(exit.stderr).not.toContain('not-the-key');
  }, 120_000);

  it('lag with a wrong key fails with one line', async () => {
    const child = start(['lag', '--source', 'eventhubs'], await wrongKeyEnv());
    const exit = await exitOf(child, FAIL_WITHIN_MS, 'lag to fail on a wrong key');
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/Event Hubs refused the credentials/);
  }, 120_000);

  it('monitor --source eventhubs with a wrong key fails with one line', async () => {
    const child = start(
      ['monitor', '--url', 'http://127.0.0.1:9', '--source', 'eventhubs', '--plain', '--duration', '30s'],
      await wrongKeyEnv(),
    );
    const exit = await exitOf(child, FAIL_WITHIN_MS, 'monitor to fail on a wrong key');
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/^brewline: Event Hubs refused the credentials/);
    expect(exit.stderr).not.toMatch(/internal error/);
  }, 120_000);

  it('pipeline run against an endpoint that never answers fails with one line', async () => {
    const child = start(
      ['pipeline', 'run', '--source', 'eventhubs', '--trigger', '500ms'],
      await silentEnv(),
    );
    const exit = await exitOf(child, FAIL_WITHIN_MS * 2, 'pipeline run to give up on a silent endpoint');
    expect(exit.code).toBe(1);
    expect(exit.stderr).toMatch(/Event Hubs|127\.0\.0\.1/);
    expect(exit.stderr).not.toMatch(/internal error/);
  }, 150_000);

  it('exits promptly on SIGTERM while it cannot connect', async () => {
    const child = start(
      ['pipeline', 'run', '--source', 'eventhubs', '--trigger', '500ms'],
      await silentEnv(),
    );
    // (it has connected to the silent endpoint: the socket is open)
    await waitFor(() => sockets.size > 0, {
      timeoutMs: 30_000,
      what: 'a connection attempt',
      detail: () => child.stderr,
    });
    child.child.kill('SIGTERM');
    const exit = await exitOf(child, EXIT_AFTER_SIGNAL_MS, 'pipeline run to exit after SIGTERM');
    expect(exit.code).toBe(130);
    expect(exit.stderr).toMatch(/pipeline stopped before it started/);
  }, 120_000);

  it('pipeline run --status-port 0 exits after Ctrl+C', async () => {
    server = await EventHubsTestServer.start({ hubs: { orders: 2 } });
    const child = start(
      ['pipeline', 'run', '--source', 'eventhubs', '--trigger', '500ms', '--status-port', '0'],
      {
        EVENTHUB_CONNECTION_STRING: server.connectionString('orders'),
      },
    );
    await waitFor(() => /status endpoint/.test(child.stderr) && /idle|batch/.test(child.stderr), {
      timeoutMs: 60_000,
      what: 'the pipeline to run',
      detail: () => child.stderr,
    });
    child.child.kill('SIGINT');
    const exit = await exitOf(child, EXIT_AFTER_SIGNAL_MS, 'pipeline run to exit after SIGINT');
    expect(exit.code).toBe(0);
    expect(exit.stderr).toMatch(/pipeline stopped/);
  }, 150_000);
});
