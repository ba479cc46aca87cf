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
    expect(records.map((r) => [r.offset, r.value, r.timestampMs, r.timestampType])).toEqual([
      [0, 'ab', 42, 'IngestTime'],
      [3, 'népal', 42, 'IngestTime'],
    ]);
    appendFileSync(path, '}\nlast\n');
    expect((await source.positions())[0]?.latest).toBe(26);
    expect((await source.read([{ partition: 0, from: 10, to: 26 }])).map((r) => [r.offset, r.value])).toEqual(
      [
        [10, '{"partial}'],
        [21, 'last'],
      ],
    );
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
