import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaBroker, stopKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';

/**
 * The acceptance run: `simulate --sink kafka` (200,000 orders, every fault kind, 6 partitions) while
 * `pipeline run --source kafka` runs and is SIGKILLed at random moments at least 10 times, with the broker
 * stopped and restarted once mid-run. Then verify: zero differences, and the simulator lost no send.
 * BREWLINE_ACCEPTANCE_ORDERS scales it down for a quick local run.
 */
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(REPO, 'bin', 'brewline.js');
const FAULTS = 'late=0.02,very_late=0.005,duplicate=0.01,malformed=0.002,invalid=0.003,oversize=0.001';
const ORDERS = Number(process.env['BREWLINE_ACCEPTANCE_ORDERS'] ?? 200_000);
const RATE = Math.max(500, Math.round(ORDERS / 40)); // about 40 s of sending
const KILLS = 10;

let dir: string;
let broker: KafkaBroker | undefined;
const children = new Set<ChildProcess>();

function env(): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('BREWLINE_') && !k.startsWith('KAFKA_') && k !== 'EVENTHUB_CONNECTION_STRING')
      out[k] = v;
  }
  return out;
}

/** mulberry32: random kill moments, reproducible. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function start(args: readonly string[]): {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: string | null; out: string; err: string }>;
} {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd: dir,
    env: env(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (err += c.toString()));
  const done = new Promise<{ code: number | null; signal: string | null; out: string; err: string }>(
    (resolve) =>
      child.on('exit', (code, signal) => {
        children.delete(child);
        resolve({ code, signal, out, err });
      }),
  );
  return { child, done };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // emission is checked below
  }
  if (!existsSync(join(REPO, 'dist', 'src', 'cli.js'))) throw new Error('build produced no dist/src/cli.js');
  dir = mkdtempSync(join(tmpdir(), 'brewline-kafka-acceptance-'));
  broker = await startKafkaBroker({ quiet: true, timeoutMs: 120_000 });
}, 300_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  if (broker) await stopKafkaBroker(broker);
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('Kafka acceptance', () => {
  it(`${ORDERS.toLocaleString('en-US')} orders through Kafka with ${KILLS}+ pipeline SIGKILLs and a broker restart: zero differences`, async () => {
    const random = prng(20260101);
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
      FAULTS,
      '--ledger',
      'ledger.json',
      '--json',
    ]);
    let simFinished = false;
    void sim.done.then(() => (simFinished = true));
    await sleep(1500); // the simulator creates the topic

    // When the pipeline runs alongside and is SIGKILLed at random moments, and the broker restarts once
    let kills = 0;
    let restarted = false;
    while (kills < KILLS || !simFinished) {
      const run = start(pipelineArgs(['--trigger', '300ms']));
      await Promise.race([sleep(800 + random() * 2200), run.done]);
      if (run.child.exitCode === null && run.child.signalCode === null) {
        run.child.kill('SIGKILL');
        kills++;
      }
      await run.done;
      if (!restarted && kills >= 4) {
        restarted = true;
        await stopKafkaBroker(broker!, { keepData: true });
        broker = await startKafkaBroker({ dir: broker!.dir, quiet: true, timeoutMs: 120_000 });
      }
    }
    const simResult = await sim.done;
    // Then the simulator finished and every generated message was acknowledged or deliberately rejected
    expect(simResult.code, simResult.err).toBe(0);
    const summary = JSON.parse(simResult.out.trim().split('\n').pop()!);
    expect(summary.status).toBe('finished');
    expect(summary.messages.errors).toBe(0);
    expect(summary.messages.sent + summary.messages.rejected).toBe(summary.messages.generated);
    expect(summary.orders).toBeGreaterThan(ORDERS * 0.9);
    expect(kills).toBeGreaterThanOrEqual(KILLS);
    expect(restarted).toBe(true);

    // And after a last run drains the topic, verify finds zero differences
    const drain = spawnSync(process.execPath, [BIN, ...pipelineArgs(['--available-now'])], {
      cwd: dir,
      env: env(),
      encoding: 'utf8',
      timeout: 600_000,
    });
    expect(drain.status, drain.stderr).toBe(0);
    const verify = spawnSync(
      process.execPath,
      [BIN, 'verify', '--ledger', 'ledger.json', '--lakehouse', 'lakehouse.duckdb'],
      {
        cwd: dir,
        env: env(),
        encoding: 'utf8',
        timeout: 300_000,
      },
    );
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout + verify.stderr).toMatch(/no differences/);
  }, 900_000);
});
