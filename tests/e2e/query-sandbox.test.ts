import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBLakehouse } from '../../src/backends/duckdb/duckdb-lakehouse.js';
import { removeTempDir, runCli, tempDir } from '../helpers/cli.js';

let dir: string;
let duckdbFile: string;
let deltaFolder: string;
beforeAll(async () => {
  dir = tempDir('query-sandbox');
  duckdbFile = join(dir, 'lakehouse.duckdb');
  const lh = new DuckDBLakehouse({ path: duckdbFile, threads: 1 });
  await lh.open();
  await lh.close();
  // A Delta lakehouse as the Spark job leaves it, reduced to one empty table: its first commit.
  deltaFolder = join(dir, 'delta');
  const log = join(deltaFolder, 'gold', 'hourly_sales', '_delta_log');
  mkdirSync(log, { recursive: true });
  const schema = {
    type: 'struct',
    fields: [{ name: 'window_start', type: 'timestamp', nullable: true, metadata: {} }],
  };
  writeFileSync(
    join(log, '00000000000000000000.json'),
    `${JSON.stringify({ protocol: { minReaderVersion: 1, minWriterVersion: 2 } })}\n${JSON.stringify({
      metaData: {
        id: 'test',
        format: { provider: 'parquet', options: {} },
        schemaString: JSON.stringify(schema),
        partitionColumns: [],
        configuration: {},
        createdTime: 0,
      },
    })}\n`,
  );
  writeFileSync(join(dir, 'secret.txt'), 'top secret\n');
});
afterAll(() => removeTempDir(dir));

describe.each([
  ['a DuckDB file', () => duckdbFile],
  ['a Delta folder', () => deltaFolder],
])('brewline query on %s is truly read-only (issue 10 item 11)', (_kind, lakehouseOf) => {
  const query = (sql: string, ...more: string[]) =>
    runCli(['query', sql, '--lakehouse', lakehouseOf(), ...more], { cwd: dir, timeoutMs: 60_000 });

  it.each([
    ['COPY … TO', `COPY (SELECT 1) TO '${'out.csv'}'`],
    ['EXPORT DATABASE', `EXPORT DATABASE 'exported'`],
    ['read_text of a local file', `SELECT * FROM read_text('secret.txt')`],
    ['read_text of /etc/passwd', `SELECT * FROM read_text('/etc/passwd')`],
    ['INSTALL', 'INSTALL httpfs'],
    ['LOAD', 'LOAD httpfs'],
    ['CREATE SECRET', `CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')`],
    ['undoing the sandbox', 'SET enable_external_access = true'],
    ['ATTACH', `ATTACH 'other.duckdb'`],
    ['a write', 'CREATE TABLE gold.x AS SELECT 1'],
    [
      'a file inside the lakehouse written by COPY',
      `COPY (SELECT 1) TO '${'delta/gold/hourly_sales/x.csv'}'`,
    ],
    ['reading past the lakehouse folder', `SELECT * FROM read_text('${'delta/../secret.txt'}')`],
  ])('refuses %s with one clear line, exit 2', (_name, sql) => {
    const result = query(sql);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^brewline: query refused: brewline query only reads the lakehouse/);
    expect(result.stderr).not.toContain('top secret');
    expect(result.stderr).not.toMatch(/root:|at .*\.js:\d+/);
    expect(result.stderr.trim().split('\n')).toHaveLength(2); // the message and its hint
    expect(existsSync(join(dir, 'out.csv'))).toBe(false);
    expect(existsSync(join(dir, 'exported'))).toBe(false);
    expect(existsSync(join(dir, 'other.duckdb'))).toBe(false);
    expect(existsSync(join(dir, 'delta', 'gold', 'hourly_sales', 'x.csv'))).toBe(false);
  });

  it('reads the lakehouse tables', () => {
    const result = query('SELECT count(*) AS n FROM gold.hourly_sales', '--json');
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout.trim())).toEqual({ n: 0 });
  });

  it('still answers reads, with long values capped in text and whole in --json', () => {
    const text = query(`SELECT repeat('x', 5000) AS v, 1 AS n`, '--max-width', '20');
    expect(text.status).toBe(0);
    expect(text.stdout.split('\n')[2]).toBe(`${'x'.repeat(19)}…  1`);
    const json = query(`SELECT repeat('x', 5000) AS v`, '--json');
    expect(JSON.parse(json.stdout.trim())).toEqual({ v: 'x'.repeat(5000) });
  });

  it('prints 150,000 rows as text', () => {
    const result = query('SELECT range AS n FROM range(150000)');
    expect(result.status).toBe(0);
    expect(result.stdout.trim().split('\n').at(-1)).toBe('(150000 rows)');
  });
});

describe('pipeline run needs a real source (issue 10 item 11)', () => {
  it('refuses to run on the in-process bus, which nothing outside can write to', () => {
    const result = runCli(['pipeline', 'run', '--lakehouse', join(dir, 'l2.duckdb')], {
      cwd: dir,
      timeoutMs: 60_000,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^brewline: pipeline run needs a source another process writes to/);
    expect(result.stderr).toMatch(/--source file:PATH, kafka or eventhubs/);
  });

  it('says "no watermark yet" before the first event time, not 1970', () => {
    writeFileSync(join(dir, 'empty.ndjson'), '');
    const result = runCli(
      [
        'pipeline',
        'run',
        '--source',
        `file:${join(dir, 'empty.ndjson')}`,
        '--available-now',
        '--lakehouse',
        join(dir, 'l3.duckdb'),
        '--checkpoint',
        join(dir, 'cp3'),
      ],
      { cwd: dir, timeoutMs: 60_000 },
    );
    expect(result.status).toBe(0);
    expect(result.stderr).toContain('no watermark yet');
    expect(result.stderr).not.toContain('1970');
  });
});
