import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHubsTestServer } from '../fakes/eventhubs-server.js';

/**
 * `pipeline run --source eventhubs --status-port` + `brewline monitor --json`: the per-partition lag the
 * monitor shows equals the service's own counters (last enqueued sequence number + 1, from the test server
 * itself, not through the SDK) minus the sequence numbers the pipeline's checkpoint says it processed.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'brewline.js');
let dir: string;
let server: EventHubsTestServer;
let pipeline: ChildProcess | undefined;

/** Runs the CLI without blocking this process: the AMQP server the CLI talks to lives here. */
function run(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
}

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BREWLINE_')) out[k] = v;
  out['EVENTHUB_CONNECTION_STRING'] = server.connectionString('orders');
  return out;
}

beforeAll(async () => {
  spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'ignore' });
  if (!existsSync(join(REPO, 'dist', 'src', 'cli.js'))) throw new Error('build produced no dist/src/cli.js');
  dir = mkdtempSync(join(tmpdir(), 'brewline-eh-monitor-'));
  server = await EventHubsTestServer.start({ hubs: { orders: 4 } });
}, 180_000);
afterAll(async () => {
  pipeline?.kill('SIGKILL');
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('monitor over an Event Hubs pipeline', () => {
  it('shows per-partition lag equal to the service counters minus processed sequence numbers', async () => {
    // Given 4,000 orders in a 4-partition hub
    const sim = await run(['simulate', '--sink', 'eventhubs', '--orders', '4000', '--speed', 'max']);
    expect(sim.status, sim.stderr).toBe(0);
    // And a pipeline that ran one batch of at most 1,200 records and then waits an hour for its next trigger
    pipeline = spawn(
      process.execPath,
      [
        BIN,
        'pipeline',
        'run',
        '--source',
        'eventhubs',
        '--trigger',
        '1h',
        '--max-records-per-batch',
        '1200',
        '--status-port',
        '0',
        '--lakehouse',
        'lh.duckdb',
        '--checkpoint',
        'cp',
      ],
      { cwd: dir, env: env(), stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let stderr = '';
    pipeline.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    const deadline = Date.now() + 60_000;
    while (!(existsSync(join(dir, 'cp', 'commits', '0')) && /status endpoint (http:\S+)/.test(stderr))) {
      if (Date.now() > deadline) throw new Error(`pipeline did not commit batch 0:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    const url = /status endpoint (http:\S+)/.exec(stderr)![1]!;
    const offsetsText = readFileSync(join(dir, 'cp', 'offsets', '0'), 'utf8');
    const processed = JSON.parse(offsetsText.slice(offsetsText.indexOf('{'))).endOffset as Record<
      string,
      number
    >;

    // When the service's own counters are read and the monitor reports
    const expected = [0, 1, 2, 3].map((partition) => {
      const latest = server.partitionProperties('orders', partition).last_enqueued_sequence_number + 1;
      const committed = processed[String(partition)] ?? 0;
      return { partition, latest, committed, lag: latest - committed };
    });
    const monitor = await run(['monitor', '--url', url, '--json', '--duration', '2s']);
    expect(monitor.status, monitor.stderr).toBe(0);
    const summary = monitor.stdout
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as {
            stream?: {
              partitions: {
                partition: number;
                latest: number;
                committed: number;
                lag: number;
                lagSeconds: number | null;
              }[];
              totalLag: number;
            };
          },
      )
      .filter((l) => l.stream)
      .pop()!;
    // Then they agree partition by partition, and every lagging partition has an age in seconds
    const shown = summary.stream!.partitions.map(({ partition, latest, committed, lag }) => ({
      partition,
      latest,
      committed,
      lag,
    }));
    expect(shown).toEqual(expected);
    expect(expected.reduce((n, e) => n + e.latest, 0)).toBe(4000);
    expect(summary.stream!.totalLag).toBeGreaterThan(0);
    for (const p of summary.stream!.partitions) if (p.lag > 0) expect(p.lagSeconds).toBeGreaterThanOrEqual(0);
  }, 180_000);
});
