import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChunkAppender, type ChunkColumn } from '../../../src/backends/duckdb/chunk-appender.js';
import { BugError } from '../../../src/errors.js';

const COLUMNS: readonly ChunkColumn[] = [
  { kind: 'varchar', repeats: 'runs' },
  { kind: 'varchar', repeats: 'any', nullable: true },
  { kind: 'varchar', repeats: 'none', nullable: true },
  { kind: 'integer' },
  { kind: 'bigint' },
  { kind: 'timestamp' },
  { kind: 'decimal', width: 12, scale: 2 },
];

describe('ChunkAppender', () => {
  let instance: DuckDBInstance;
  let c: DuckDBConnection;

  beforeEach(async () => {
    instance = await DuckDBInstance.create(':memory:', { threads: '1' });
    c = await instance.connect();
    await c.run(`CREATE TABLE t (id VARCHAR, name VARCHAR, raw VARCHAR, n INTEGER, big BIGINT, ts TIMESTAMP,
      amount DECIMAL(12,2))`);
  });
  afterEach(() => {
    c.closeSync();
    instance.closeSync();
  });

  async function rows(): Promise<string[]> {
    const reader = await c.runAndReadAll(
      `SELECT concat_ws('|', id, coalesce(name, '∅'), coalesce(raw, '∅'), n, big, strftime(ts, '%Y-%m-%dT%H:%M:%S.%f'), amount)
         FROM t ORDER BY rowid`,
    );
    return reader.getRows().map((r) => String(r[0]));
  }

  it('given rows over several chunks, when appended, then every value reads back exactly as written', async () => {
    // Given 5,000 rows (more than two chunks) mixing short (inlined) and long strings, repeats in runs and
    // across the chunk, non-ASCII text, NULLs, negative and large integers and exact paisa
    // (lengths around the 12-byte inline limit, in UTF-16 units and in UTF-8 bytes; empty; an embedded NUL)
    const names = [
      'Cafe Latte',
      'Flavored Exotic Tea',
      'Momo ☕ Special — extra long name',
      'Chiya',
      'abcdefghijkl',
      'abcdefghijklm',
      'abcdefghijké',
      '',
      'nul\u0000inside',
    ];
    const expected: string[] = [];
    const w = new ChunkAppender(await c.createAppender('t'), COLUMNS);
    for (let i = 0; i < 5000; i++) {
      const id = `order-${Math.floor(i / 3)}-0000-0000-000000000000`;
      const name = i % 7 === 0 ? null : names[i % names.length]!;
      const raw = i % 11 === 0 ? null : i % 1000 === 1 ? `{"big":"${'x'.repeat(300_000)}"}` : `{"i":${i}}`;
      const n = i % 2 === 0 ? -i : 2_147_483_647 - i;
      const big = i % 2 === 0 ? -(2 ** 53 - 1) + i : 2 ** 40 + i;
      const ms = Date.UTC(2026, 0, 1, 7, 0, 0) + i * 1001;
      const paisa = i % 3 === 0 ? -(i * 101) : 99_999_999_999 - i;
      const r = w.row();
      w.varchar(0, r, id);
      w.varchar(1, r, name);
      w.varchar(2, r, raw);
      w.integer(3, r, n);
      w.bigint(4, r, big);
      w.timestamp(5, r, ms);
      w.decimal(6, r, paisa);
      const abs = Math.abs(paisa);
      const money = `${paisa < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
      const at = new Date(ms).toISOString().replace('Z', '000');
      expected.push([id, name ?? '∅', raw ?? '∅', n, big, at, money].join('|'));
    }
    // When
    w.close();
    // Then
    expect(await rows()).toEqual(expected);
  });

  it('given a value DuckDB would refuse, when set, then it throws instead of storing something else', async () => {
    const w = new ChunkAppender(await c.createAppender('t'), COLUMNS);
    const r = w.row();
    expect(() => w.decimal(6, r, 1_000_000_000_000)).toThrow(/does not fit DECIMAL\(12,2\)/);
    expect(() => w.decimal(6, r, 0.5)).toThrow(RangeError);
    expect(() => w.integer(3, r, 2 ** 31)).toThrow(/32-bit/);
    expect(() => w.bigint(4, r, 2 ** 53)).toThrow(/safe integer/);
    expect(() => w.timestamp(5, r, 8.64e15 * 10)).toThrow(/timestamp/);
  });

  it('given a NULL in a NOT NULL column, when the chunk is written, then it throws', async () => {
    const w = new ChunkAppender(await c.createAppender('t'), COLUMNS);
    const r = w.row();
    w.varchar(0, r, null);
    w.varchar(1, r, 'x');
    w.varchar(2, r, 'y');
    w.integer(3, r, 1);
    w.bigint(4, r, 1);
    w.timestamp(5, r, 0);
    w.decimal(6, r, 1);
    expect(() => w.close()).toThrow(/NULL/);
  });

  it('given column specs that do not match the table, when constructed, then it refuses', async () => {
    const wrong: ChunkColumn[] = [...COLUMNS];
    wrong[6] = { kind: 'decimal', width: 10, scale: 2 };
    await expect(async () => new ChunkAppender(await c.createAppender('t'), wrong)).rejects.toThrow(BugError);
    await expect(
      async () => new ChunkAppender(await c.createAppender('t'), COLUMNS.slice(1)),
    ).rejects.toThrow(/the table has 7/);
  });
});
