import type { SourceRecord } from '../../../src/backends/types.js';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSource } from '../../../src/backends/file/file-source.js';
import { DataIntegrityError } from '../../../src/errors.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'brewline-file-source-'));
  path = join(dir, 'orders.ndjson');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('FileSource', () => {
  it('uses byte offsets of line starts and exposes only complete lines of a growing file', async () => {
    writeFileSync(path, 'ab\nnépal\n{"partial');
    const source = new FileSource({ path, now: () => 42 });
    await source.open();
    expect(await source.positions()).toMatchObject([{ partition: 0, earliest: 0, latest: 10 }]);
    const records = await source.read([{ partition: 0, from: 0, to: 10 }]);
    expect(
      records.map((r) => [r.offset, Buffer.from(r.value).toString('utf8'), r.timestampMs, r.timestampType]),
    ).toEqual([
      [0, 'ab', 42, 'IngestTime'],
      [3, 'népal', 42, 'IngestTime'],
    ]);
    appendFileSync(path, '}\nlast\n');
    expect((await source.positions())[0]?.latest).toBe(26);
    expect(
      (await source.read([{ partition: 0, from: 10, to: 26 }])).map((r) => [
        r.offset,
        Buffer.from(r.value).toString('utf8'),
      ]),
    ).toEqual([
      [10, '{"partial}'],
      [21, 'last'],
    ]);
    await source.close();
  });

  it('bounds a batch by records without reading past the limit', async () => {
    writeFileSync(path, 'a\nbb\nccc\n');
    const source = new FileSource({ path });
    await source.open();
    expect(await source.offsetAfter(0, 0, 2, 9)).toBe(5);
    expect(await source.offsetAfter(0, 5, 10, 9)).toBe(9);
    await source.close();
  });

  it('refuses a range that does not start at a line start (the file changed under the checkpoint)', async () => {
    writeFileSync(path, 'abc\ndef\n');
    const source = new FileSource({ path });
    await source.open();
    await expect(source.read([{ partition: 0, from: 2, to: 8 }])).rejects.toBeInstanceOf(DataIntegrityError);
    await source.close();
  });
});

describe('FileSource under concurrent callers (issue 10 item 1)', () => {
  it('reports only line boundaries when positions() runs concurrently with itself and with reads on a growing file', async () => {
    // Given a file that grows by lines while the engine reads and a status server polls positions()
    writeFileSync(path, '');
    const source = new FileSource({ path });
    await source.open();
    const line = (i: number): string => `{"n":${i},"pad":"${'x'.repeat(i % 97)}"}\n`;
    let written = 0;
    const boundaries = new Set<number>([0]);
    let size = 0;
    const grow = (lines: number): void => {
      let chunk = '';
      for (let i = 0; i < lines; i++) chunk += line(written++);
      appendFileSync(path, chunk);
      for (let i = 0, at = size; i < chunk.length; i++) if (chunk[i] === '\n') boundaries.add(at + i + 1);
      size += Buffer.byteLength(chunk);
    };
    const seen: number[] = [];
    let committed = 0;
    for (let round = 0; round < 60; round++) {
      grow(50 + (round % 7) * 40);
      // When the engine and the status endpoint ask at the same time
      const results = await Promise.all([
        source.positions(),
        source.positions(),
        source.positions(),
        source.read([{ partition: 0, from: 0, to: committed }]),
      ]);
      for (const r of results.slice(0, 3)) seen.push((r as { latest: number }[])[0]!.latest);
      committed = Math.max(...seen);
      // Then every reported end is a record boundary and a read up to it succeeds
      await source.read([{ partition: 0, from: 0, to: committed }]);
    }
    expect(seen.filter((s) => !boundaries.has(s))).toEqual([]);
    await source.close();
  });

  it('checkEnd tells a record boundary from the middle of a line or a point past the end', async () => {
    writeFileSync(path, 'ab\ncd\nef');
    const source = new FileSource({ path });
    await source.open();
    await expect(source.checkEnd({ '0': 3 })).resolves.toBeUndefined();
    await expect(source.checkEnd({ '0': 6 })).resolves.toBeUndefined();
    await expect(source.checkEnd({ '0': 4 })).rejects.toBeInstanceOf(DataIntegrityError);
    await expect(source.checkEnd({ '0': 8 })).rejects.toBeInstanceOf(DataIntegrityError);
    await source.close();
  });
});

describe('FileSource bounded by bytes (issue 10 item 3)', () => {
  it('bounds a batch by bytes at a line end, always taking at least the first line', async () => {
    writeFileSync(path, 'a\nbb\nccc\ndddddddddd\ne\n');
    const source = new FileSource({ path });
    await source.open();
    // 'a\nbb\n' is 5 bytes; a budget of 6 cannot take 'ccc\n' too
    expect(await source.offsetAfter(0, 0, 100, 22, 6)).toBe(5);
    expect(await source.offsetAfter(0, 0, 100, 22, 9)).toBe(9);
    // a line alone larger than the budget still moves the batch
    expect(await source.offsetAfter(0, 9, 100, 22, 4)).toBe(20);
    // records bound first when tighter
    expect(await source.offsetAfter(0, 0, 1, 22, 1000)).toBe(2);
    expect(await source.offsetAfter(0, 20, 100, 22, 1000)).toBe(22);
    await source.close();
  });

  it('streams a range through a small buffer: lines across chunk edges, lines longer than the buffer, UTF-8', async () => {
    const lines = ['short', 'x'.repeat(50), 'népal ☕', '', 'y'.repeat(7), '{"a":1}', 'z'.repeat(33)];
    writeFileSync(path, lines.map((l) => `${l}\n`).join(''));
    const whole = new FileSource({ path, now: () => 1 });
    const small = new FileSource({ path, now: () => 1, readChunkBytes: 8 });
    await whole.open();
    await small.open();
    const end = (await whole.positions())[0]!.latest;
    const expected = await whole.read([{ partition: 0, from: 0, to: end }]);
    expect(expected.map((r) => Buffer.from(r.value).toString('utf8'))).toEqual(lines);
    // The same bytes at the same offsets whatever the chunking (`text` is an optional shortcut of the source)
    const view = (rs: readonly SourceRecord[]): unknown[] =>
      rs.map((r) => [r.offset, Buffer.from(r.value).toString('hex'), r.timestampMs]);
    expect(view(await small.read([{ partition: 0, from: 0, to: end }]))).toEqual(view(expected));
    const from = expected[2]!.offset;
    expect(view(await small.read([{ partition: 0, from, to: end }]))).toEqual(view(expected.slice(2)));
    await whole.close();
    await small.close();
  });

  it('reads a range far larger than its buffer without decoding it whole, and still refuses a range cut mid-line', async () => {
    const line = `${'q'.repeat(1000)}\n`;
    writeFileSync(path, line.repeat(2000));
    const source = new FileSource({ path, readChunkBytes: 4096 });
    await source.open();
    const records = await source.read([{ partition: 0, from: 0, to: 2000 * 1001 }]);
    expect(records).toHaveLength(2000);
    expect(records[1999]).toMatchObject({ offset: 1999 * 1001 });
    await expect(source.read([{ partition: 0, from: 0, to: 1500 }])).rejects.toBeInstanceOf(
      DataIntegrityError,
    );
    await source.close();
  });
});
