import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker, stopKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';
import {
  jsonLines,
  removeTempDir,
  runCli,
  spawnCli,
  tempDir,
  type CliProcess,
  type SimulateSummary,
} from '../helpers/cli.js';
import { mulberry32 } from '../helpers/mulberry32.js';
import { ALL_FAULTS } from '../unit/simulator/fixtures.js';

/**
 * The acceptance run: `simulate --sink kafka` (200,000 orders, every fault kind, 6 partitions) while
 * `pipeline run --source kafka` runs and is SIGKILLed at random moments at least 10 times, with the broker
 * stopped and restarted once mid-run. Then verify: zero differences, and the simulator lost no send.
 * BREWLINE_ACCEPTANCE_ORDERS scales it down for a quick local run.
 */
const ORDERS = Number(process.env['BREWLINE_ACCEPTANCE_ORDERS'] ?? 200_000);
const RATE = Math.max(500, Math.round(ORDERS / 40)); // about 40 s of sending
const KILLS = 10;

let dir: string;
let broker: KafkaBroker | undefined;
const children = new Set<CliProcess>();

function start(args: readonly string[]): CliProcess {
  const child = spawnCli(args, { cwd: dir });
  children.add(child);
  void child.exited.then(() => children.delete(child));
  return child;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  dir = tempDir('kafka-acceptance');
  broker = await startKafkaBroker({ quiet: true, timeoutMs: 120_000 });
}, 300_000);

afterAll(async () => {
  await Promise.all([...children].map((child) => child.stop()));
  if (broker) await stopKafkaBroker(broker);
  removeTempDir(dir);
}, 60_000);

describe('Kafka acceptance', () => {
  it(`${ORDERS.toLocaleString('en-US')} orders through Kafka with ${KILLS}+ pipeline SIGKILLs and a broker restart: zero differences`, async () => {
    const random = mulberry32(20260101);
    const bootstrap = broker!.bootstrap;
    const pipelineArgs = (extra: string[]): string[] => [
      'pipeline',
      'run',
      '--source',
      'kafka',
      '--brokers',
      bootstrap,
      '--topic',
      'orders',
      '--group',
      'brewline-pipeline',
      '--lakehouse',
      'lakehouse.duckdb',
      '--checkpoint',
      'checkpoint',
      '--max-records-per-batch',
      '5000',
      ...extra,
    ];
    // Given the simulator sending to a 6-partition topic at a steady pace
    const sim = start([
      'simulate',
      '--sink',
      'kafka',
      '--brokers',
      bootstrap,
      '--topic',
      'orders',
      '--partitions',
      '6',
      '--orders',
      String(ORDERS),
      '--profile',
      'flat',
      '--rate',
      String(RATE),
      '--start',
      '2026-01-01T07:00:00+05:45',
      '--faults',
      ALL_FAULTS,
      '--ledger',
      'ledger.json',
      '--json',
    ]);
    let simFinished = false;
    void sim.exited.then(() => (simFinished = true));
    await sleep(1500); // the simulator creates the topic

    // When the pipeline runs alongside and is SIGKILLed at random moments, and the broker restarts once
    let kills = 0;
    let restarted = false;
    while (kills < KILLS || !simFinished) {
      const run = start(pipelineArgs(['--trigger', '300ms']));
      await Promise.race([sleep(800 + random() * 2200), run.exited]);
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGKILL');
        kills++;
      }
      await run.exited;
      if (!restarted && kills >= 4) {
        restarted = true;
        await stopKafkaBroker(broker!, { keepData: true });
        broker = await startKafkaBroker({ dir: broker!.dir, quiet: true, timeoutMs: 120_000 });
      }
    }
    const simResult = await sim.exited;
    // Then the simulator finished and every generated message was acknowledged or deliberately rejected
    expect(simResult.code, simResult.stderr).toBe(0);
    const summary = jsonLines<SimulateSummary>(simResult.stdout).at(-1)!;
    expect(summary.status).toBe('finished');
    expect(summary.messages.errors).toBe(0);
    expect(summary.messages.sent + summary.messages.rejected).toBe(summary.messages.generated);
    expect(summary.orders).toBeGreaterThan(ORDERS * 0.9);
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(restarted).toBe(true);

    // And after a last run drains the topic, verify finds zero differences
    const drain = runCli(pipelineArgs(['--available-now']), { cwd: dir, timeoutMs: 600_000 });
    expect(drain.status, drain.stderr).toBe(0);
    const verify = runCli(['verify', '--ledger', 'ledger.json', '--lakehouse', 'lakehouse.duckdb'], {
      cwd: dir,
      timeoutMs: 300_000,
    });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout + verify.stderr).toMatch(/no differences/);
  }, 900_000);
});
