import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDir, runCli, spawnCli, tempDir, waitFor } from '../helpers/cli.js';
import { useKafkaBroker } from '../helpers/kafka-broker.js';
import { mulberry32 } from '../helpers/mulberry32.js';
import { ALL_FAULTS } from '../unit/simulator/fixtures.js';

/**
 * Crash-consistency on real Spark: `pipeline run --engine spark` reads a real Kafka topic; the Spark job
 * (its whole process group: Python driver and JVM) is SIGKILLed at random moments at least five times, each
 * after it has started a batch of its own; after a final run to the end `brewline verify` finds zero
 * differences against the simulator's ledger and `brewline lag` reads zero lag from Spark's own checkpoint.
 */
const KILLS = 5;
const kafka = useKafkaBroker();
let dir: string;

beforeAll(() => {
  dir = tempDir('spark-crash');
  const sim = runCli(
    [
      'simulate',
      '--sink',
      'kafka',
      '--brokers',
      kafka.bootstrap,
      '--topic',
      'orders',
      '--partitions',
      '2',
      '--orders',
      '2000',
      '--speed',
      'max',
      '--seed',
      '5',
      '--faults',
      ALL_FAULTS,
      '--ledger',
      'ledger.json',
    ],
    { cwd: dir, timeoutMs: 120_000 },
  );
  if (sim.status !== 0) throw new Error(sim.stderr);
}, 180_000);
afterAll(() => removeTempDir(dir));

/** Child processes of `pid` (from /proc). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

const args = (trigger: string[]): string[] => [
  'pipeline',
  'run',
  '--engine',
  'spark',
  '--source',
  'kafka',
  '--brokers',
  kafka.bootstrap,
  '--topic',
  'orders',
  '--lakehouse',
  'lake',
  '--max-records-per-batch',
  '400',
  ...trigger,
];

describe('the Spark engine, SIGKILLed while it reads Kafka', () => {
  it(
    `loses and duplicates nothing over ${KILLS} kills`,
    async () => {
      const random = mulberry32(7);
      let kills = 0;
      for (let round = 0; kills < KILLS && round < KILLS * 3; round++) {
        const run = spawnCli(args(['--trigger', '500ms']), { cwd: dir });
        // A batch of this run has started (the previous run's progress is not printed again).
        const started = await waitFor(() => /^batch \d+ /m.test(run.stderr) || run.child.exitCode !== null, {
          timeoutMs: 300_000,
          what: 'a batch of the Spark job',
          detail: () => run.stderr,
        });
        expect(started).toBe(true);
        if (run.child.exitCode !== null) break; // It finished everything before we could kill it.
        await new Promise((r) => setTimeout(r, Math.floor(random() * 4000)));
        const job = childrenOf(run.child.pid!);
        if (job.length === 0 || run.child.exitCode !== null) continue;
        for (const pid of job) {
          try {
            process.kill(-pid, 'SIGKILL'); // the job's process group: Python and the JVM
            kills++;
          } catch {
            // already gone
          }
        }
        const exit = await run.exited;
        expect(exit.code, exit.stderr).not.toBe(0);
      }
      expect(kills).toBeGreaterThanOrEqual(KILLS);
      // Then a run to the end of the topic.
      const last = spawnCli(args(['--available-now']), { cwd: dir });
      const exit = await last.exited;
      expect(exit.code, exit.stderr).toBe(0);

      const verify = runCli(
        ['verify', '--lakehouse', 'lake', '--ledger', 'ledger.json', '--query-name', 'gold'],
        {
          cwd: dir,
        },
      );
      expect(verify.stdout).toContain('no differences');
      expect(verify.status, verify.stdout + verify.stderr).toBe(0);
      const lag = runCli(
        [
          'lag',
          '--source',
          'kafka',
          '--brokers',
          kafka.bootstrap,
          '--topic',
          'orders',
          '--checkpoint',
          'lake/_checkpoints',
          '--json',
        ],
        { cwd: dir },
      );
      expect(lag.status, lag.stderr).toBe(0);
      const rows = (JSON.parse(lag.stdout) as { partitions: { lag: number }[] }).partitions;
      expect(rows.map((r) => r.lag)).toEqual([0, 0]);
    },
    30 * 60_000,
  );
});
