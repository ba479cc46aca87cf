import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, jsonLines, removeTempDir, runCli, spawnCli, tempDir, waitFor } from '../helpers/cli.js';

/**
 * `brewline demo --engine spark` as a user runs it: the demo starts its own Kafka broker and the local
 * PySpark job, and its headless status lines show gold from real Spark while the load generator runs; a
 * Ctrl+C stops everything cleanly, and the figures on screen are the Delta tables' own.
 */
interface StatusLine {
  type: 'status' | 'summary';
  time: string;
  stream: { verdict: string; engine_status: string; batches: number; input_rows: number } | null;
  gold: { revenue: string; orders: number } | null;
}

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir('spark-demo');
});
afterAll(() => removeTempDir(dir));

describe('demo --engine spark', () => {
  it(
    'shows live gold from real Spark, stops cleanly on Ctrl+C, and the screen matches the Delta tables',
    async () => {
      const started = Date.now();
      // In its own process group, as typed in a terminal: Ctrl+C there reaches the demo's broker too.
      const demo = spawnCli(['demo', '--engine', 'spark', '--json', '--duration', '15m'], {
        cwd: dir,
        ownProcessGroup: true,
      });
      try {
        // Given the demo running, when Spark has committed its first gold batch
        const first = await waitFor(
          () => jsonLines<StatusLine>(demo.stdout).find((l) => l.gold !== null && l.gold.revenue !== '0.00'),
          {
            timeoutMs: 8 * 60_000,
            intervalMs: 500,
            what: 'a status line with gold revenue',
            detail: () => `${demo.stdout.split('\n').slice(-3).join('\n')}\n${demo.stderr.slice(-3000)}`,
          },
        );
        // For the record: how long a user waits for the first gold figures on this machine.
        console.log(
          `demo --engine spark: first gold after ${((Date.parse(first.time) - started) / 1000).toFixed(1)} s ` +
            `(batch ${first.stream?.batches}, ${first.stream?.input_rows} records read)`,
        );
        expect(first.stream?.engine_status).toBe('running');
      } finally {
        // Then Ctrl+C (SIGINT to the terminal's whole process group) ends the demo with exit 0: the broker
        // outlived the signal until the job had stopped at a batch boundary, not killed
        const exit = await demo.signalGroup('SIGINT');
        expect(exit.stderr).not.toMatch(
          /pipeline failed|load generator failed|internal error|killed|cannot reach/,
        );
        expect(exit.code, exit.stderr).toBe(0);
      }
      const summary = jsonLines<StatusLine>(demo.stdout).find((l) => l.type === 'summary')!;
      expect(summary.stream?.engine_status).toBe('stopped');
      // And the revenue it showed last is the Delta tables' own
      const query = runCli(
        [
          'query',
          '--lakehouse',
          '.brewline/demo-spark',
          '--json',
          'SELECT CAST(SUM(revenue) AS VARCHAR) AS revenue, CAST(SUM(orders) AS BIGINT) AS orders FROM gold.branch_revenue',
        ],
        { cwd: dir, timeoutMs: 60_000 },
      );
      expect(query.status, query.stderr).toBe(0);
      const [row] = jsonLines<{ revenue: string; orders: number }>(query.stdout);
      expect(summary.gold).toMatchObject({
        revenue: row!.revenue,
        orders: Number(row!.orders),
      });
    },
    15 * 60_000,
  );
});
