import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultMemoryLimit, DuckDBLakehouse } from '../../../src/backends/duckdb/duckdb-lakehouse.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'brewline-wal-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const nodeApi = new URL('../../../node_modules/@duckdb/node-api/lib/index.js', import.meta.url).pathname;

describe('DuckDB WAL (issue 10 item 8)', () => {
  it('folds a WAL left by a killed writer into the file on open, and leaves none after a clean close', async () => {
    // Given a lakehouse whose writer was SIGKILLed with ~10 MB of committed but unchecked changes in its WAL
    const path = join(dir, 'l.duckdb');
    const lakehouse = new DuckDBLakehouse({ path, threads: 1 });
    await lakehouse.open();
    await lakehouse.close();
    const script = join(dir, 'fill.mjs');
    writeFileSync(
      script,
      `import { DuckDBInstance } from ${JSON.stringify(nodeApi)};
       const i = await DuckDBInstance.create(${JSON.stringify(path)}, { checkpoint_threshold: '10GB' });
       const c = await i.connect();
       for (let k = 0; k < 16; k++) await c.run(\`INSERT INTO ops.watermark_drops SELECT 'q', \${k}, md5(i::VARCHAR) || repeat('x', 60), NULL, NULL, NULL, 1 FROM range(5000) t(i)\`);
       process.kill(process.pid, 'SIGKILL');`,
    );
    spawnSync(process.execPath, [script]);
    expect(statSync(`${path}.wal`).size).toBeGreaterThan(4_000_000);
    // When the lakehouse opens again
    const again = new DuckDBLakehouse({ path, threads: 1 });
    await again.open();
    // Then the WAL is checkpointed before any batch runs, and the data is there
    expect(existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0).toBeLessThan(100_000);
    expect((await again.query('SELECT count(*) FROM ops.watermark_drops')).rows).toEqual([[80_000]]);
    await again.query("INSERT INTO ops.watermark_drops VALUES ('q', 99, 'x', NULL, NULL, NULL, 1)");
    await again.close();
    expect(existsSync(`${path}.wal`) ? statSync(`${path}.wal`).size : 0).toBe(0);
  });
});

describe('DuckDB memory limit (issue 10 item 9)', () => {
  it('defaults to a quarter of RAM within 256 MiB–2 GiB', () => {
    expect(defaultMemoryLimit(512 * 2 ** 20)).toBe('256MiB');
    expect(defaultMemoryLimit(4 * 2 ** 30)).toBe('1024MiB');
    expect(defaultMemoryLimit(64 * 2 ** 30)).toBe('2048MiB');
  });

  it('applies the configured limit and reports the memory DuckDB holds', async () => {
    const lakehouse = new DuckDBLakehouse({ path: join(dir, 'm.duckdb'), threads: 1, memoryLimit: '300MiB' });
    await lakehouse.open();
    try {
      const { rows } = await lakehouse.query("SELECT current_setting('memory_limit')");
      expect(String(rows[0]?.[0])).toMatch(/^(300\.0 MiB|314\.5 MB)$/);
      expect(await lakehouse.memoryUsage()).toBeGreaterThanOrEqual(0);
    } finally {
      await lakehouse.close();
    }
  });

  it('refuses a second open of the same file in one process, by another name too, until the first closes', async () => {
    // (DuckDB's lock is per process: two instances would checkpoint one WAL between them)
    const path = join(dir, 'one.duckdb');
    const first = new DuckDBLakehouse({ path, threads: 1 });
    await first.open();
    const second = new DuckDBLakehouse({
      path: join(dir, '.', '..', basename(dir), 'one.duckdb'),
      threads: 1,
    });
    await expect(second.open()).rejects.toThrow(/is already open in this process/);
    await expect(new DuckDBLakehouse({ path, readOnly: true }).open()).rejects.toThrow(/already open/);
    // A refused open holds nothing: after the first closes, the same object opens
    await first.close();
    await second.open();
    expect((await second.query('SELECT count(*) FROM ops.watermark_drops')).rows).toEqual([[0]]);
    await second.close();
  });
});
