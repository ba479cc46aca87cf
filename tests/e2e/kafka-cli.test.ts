import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanEnv,
  jsonLines,
  removeTempDir,
  REPO,
  runCli,
  tempDir,
  type SimulateSummary,
} from '../helpers/cli.js';
import { useKafkaBroker } from '../helpers/kafka-broker.js';
import { ALL_FAULTS } from '../unit/simulator/fixtures.js';

const kafka = useKafkaBroker();
let dir: string;

const cli = (args: readonly string[], env: Record<string, string> = {}) =>
  runCli(args, { cwd: dir, env, timeoutMs: 180_000 });

function reachable(address: string): Promise<boolean> {
  const [host, port] = address.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host: host!, port: Number(port) });
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

beforeAll(() => {
  dir = tempDir('kafka-cli');
});
afterAll(() => removeTempDir(dir));

describe('npm run kafka:start / kafka:stop', () => {
  it('starts a loopback broker, prints its address last, and stops it cleanly', async () => {
    const state = { BREWLINE_KAFKA_STATE: join(dir, 'broker.json') };
    const script = join(REPO, 'scripts', 'kafka', 'broker.mjs');
    const start = spawnSync(process.execPath, [script, 'start'], {
      env: cleanEnv(state),
      encoding: 'utf8',
      timeout: 180_000,
    });
    expect(start.status, start.stderr).toBe(0);
    const lines = start.stdout.trim().split('\n');
    const address = lines[lines.length - 1]!;
    expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
    try {
      expect(await reachable(address)).toBe(true);
      const status = spawnSync(process.execPath, [script, 'status'], {
        env: cleanEnv(state),
        encoding: 'utf8',
      });
      expect(status.stdout.trim()).toBe(address);
    } finally {
      const stop = spawnSync(process.execPath, [script, 'stop'], {
        env: cleanEnv(state),
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(stop.status).toBe(0);
    }
    expect(await reachable(address)).toBe(false);
    expect(existsSync(join(dir, 'broker.json'))).toBe(false);
  }, 240_000);
});

describe('simulate --sink kafka → pipeline run --source kafka → verify', () => {
  it('carries every fault kind through a real broker with zero differences', () => {
    const ledger = join(dir, 'ledger.json');
    // Given 8,000 orders with every fault kind sent to a 6-partition topic
    const sim = cli([
      'simulate',
      '--sink',
      'kafka',
      '--brokers',
      kafka.bootstrap,
      '--topic',
      'cli-orders',
      '--partitions',
      '6',
      '--orders',
      '8000',
      '--speed',
      'max',
      '--start',
      '2026-01-01T07:00:00+05:45',
      '--faults',
      ALL_FAULTS,
      '--ledger',
      ledger,
      '--json',
    ]);
    expect(sim.status, sim.stderr).toBe(0);
    const summary = jsonLines<SimulateSummary>(sim.stdout).at(-1)!;
    expect(summary.status).toBe('finished');
    expect(summary.messages.errors).toBe(0);
    expect(summary.messages.sent + summary.messages.rejected).toBe(summary.messages.generated);
    expect(summary.sink).toMatch(/Kafka topic "cli-orders"/);
    // When the pipeline reads the topic (brokers from KAFKA_BROKERS) until it has caught up
    const run = cli(
      [
        'pipeline',
        'run',
        '--source',
        'kafka',
        '--topic',
        'cli-orders',
        '--available-now',
        '--lakehouse',
        'lh.duckdb',
        '--checkpoint',
        'cp',
        '--group',
        'cli-pipeline',
      ],
      { KAFKA_BROKERS: kafka.bootstrap },
    );
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/from Kafka topic "cli-orders"/);
    // And external lag tools see the pipeline's position: its group and its checkpoint both say caught up
    for (const position of [
      ['--group', 'cli-pipeline'],
      ['--checkpoint', 'cp'],
    ]) {
      const lag = cli(['lag', '--source', 'kafka', '--topic', 'cli-orders', ...position, '--json'], {
        KAFKA_BROKERS: kafka.bootstrap,
      });
      expect(lag.status, lag.stderr).toBe(0);
      const rows = (
        JSON.parse(lag.stdout) as {
          partitions: { currentOffset: number; logEndOffset: number; lag: number }[];
        }
      ).partitions;
      expect(rows).toHaveLength(6);
      for (const row of rows) {
        expect(row.lag).toBe(0);
        expect(row.currentOffset).toBe(row.logEndOffset);
      }
    }
    // Then verify finds no difference against the ledger
    const verify = cli(['verify', '--ledger', ledger, '--lakehouse', 'lh.duckdb']);
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout + verify.stderr).toMatch(/no differences/);
    expect(JSON.parse(readFileSync(ledger, 'utf8')).messages.sent).toBe(summary.messages.sent);
  }, 240_000);

  it('rejects bad Kafka flags with exit code 2 and a one-line message', () => {
    const bad = cli([
      'simulate',
      '--sink',
      'kafka',
      '--brokers',
      kafka.bootstrap,
      '--acks',
      'most',
      '--orders',
      '1',
    ]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/acks/);
    const none = cli(['simulate', '--sink', 'kafka', '--orders', '1']);
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/bootstrap brokers/);
  });

  it('reports an unreachable broker as a failure with a hint, never echoing the SASL password', () => {
    const run = cli(['simulate', '--sink', 'kafka', '--orders', '10'], {
      KAFKA_BROKERS: '127.0.0.1:1',
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: 'pos',
      KAFKA_SASL_PASSWORD: 'do-not-leak-this',
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/cannot reach Kafka/);
    expect(run.stderr).toMatch(/kafka:start/);
    expect(run.stdout + run.stderr).not.toContain('do-not-leak-this');
  }, 120_000);
});
