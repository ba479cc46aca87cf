import { appendFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDir, runCli, tempDir } from '../helpers/cli.js';

let dir: string;
beforeAll(() => {
  dir = tempDir('lag-e2e');
});
afterAll(() => removeTempDir(dir));

interface LagJson {
  of: string;
  partitions: { partition: number; currentOffset?: number; logEndOffset: number; lag: number }[];
}

describe('brewline lag', () => {
  it('reads the pipeline position from its checkpoint and measures it against the source, fresh', () => {
    // Given a file of orders fully processed by the pipeline
    const sim = runCli(
      [
        'simulate',
        '--sink',
        'file',
        '--out',
        'o.ndjson',
        '--orders',
        '2000',
        '--speed',
        'max',
        '--seed',
        '5',
      ],
      { cwd: dir },
    );
    expect(sim.status, sim.stderr).toBe(0);
    const run = runCli(
      [
        'pipeline',
        'run',
        '--source',
        'file:o.ndjson',
        '--available-now',
        '--lakehouse',
        'lh.duckdb',
        '--checkpoint',
        'cp',
      ],
      { cwd: dir },
    );
    expect(run.status, run.stderr).toBe(0);
    const size = statSync(join(dir, 'o.ndjson')).size;
    // Then lag is zero and the current offset is the end of the file
    const caughtUp = runCli(['lag', '--source', 'file:o.ndjson', '--checkpoint', 'cp', '--json'], {
      cwd: dir,
    });
    expect(caughtUp.status, caughtUp.stderr).toBe(0);
    const before = JSON.parse(caughtUp.stdout) as LagJson;
    expect(before.partitions).toEqual([
      expect.objectContaining({ partition: 0, currentOffset: size, logEndOffset: size, lag: 0 }),
    ]);
    // When more data arrives that the pipeline has not read
    const line = '{"not":"processed yet"}\n';
    appendFileSync(join(dir, 'o.ndjson'), line.repeat(3));
    // Then lag counts it (file offsets are bytes), and the table form says the same
    const behind = JSON.parse(
      runCli(['lag', '--source', 'file:o.ndjson', '--checkpoint', 'cp', '--json'], { cwd: dir }).stdout,
    ) as LagJson;
    expect(behind.partitions[0]?.lag).toBe(3 * Buffer.byteLength(line));
    const table = runCli(['lag', '--source', 'file:o.ndjson', '--checkpoint', 'cp'], { cwd: dir });
    expect(table.stdout).toMatch(/PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+LAG-SECONDS/);
    expect(table.stdout).toContain(`total lag ${3 * Buffer.byteLength(line)}`);
  });

  it('explains what to do when the checkpoint or source does not fit', () => {
    const notCheckpoint = runCli(['lag', '--source', 'file:o.ndjson', '--checkpoint', 'nowhere'], {
      cwd: dir,
    });
    expect(notCheckpoint.status).toBe(2);
    expect(notCheckpoint.stderr).toMatch(/not a brewline checkpoint/);
    const bus = runCli(['lag', '--source', 'bus'], { cwd: dir });
    expect(bus.status).toBe(2);
    expect(bus.stderr).toMatch(/in-process bus/);
    const group = runCli(['lag', '--source', 'file:o.ndjson', '--group', 'g'], { cwd: dir });
    expect(group.status).toBe(2);
    expect(group.stderr.split('\n').filter(Boolean).length).toBeLessThanOrEqual(2);
  });
});
