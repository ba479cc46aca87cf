import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { cellText, tableLines, writeLines } from '../../../src/commands/query-output.js';

describe('brewline query text output (issue 10 item 11)', () => {
  it('pads columns from the header and first rows, NULL for null, JSON for other values', () => {
    const lines = [
      ...tableLines(
        ['a', 'bb'],
        [
          ['x', null],
          ['long value', { k: 1 }],
        ],
      ),
    ];
    expect(lines).toEqual([
      'a           bb',
      '----------  -------',
      'x           NULL',
      'long value  {"k":1}',
    ]);
  });

  it('streams 300,000 rows without a stack overflow, one line at a time', () => {
    // Given more rows than a spread argument list can hold
    const rows = (function* () {
      for (let i = 0; i < 300_000; i++) yield [i, `r${i}`];
    })();
    let count = 0;
    let last = '';
    for (const line of tableLines(['n', 'name'], rows)) {
      count++;
      last = line;
    }
    expect(count).toBe(300_002);
    expect(last).toBe('299999  r299999');
  });

  it('caps a 5 MB value to the cell width, in the first rows and after them', () => {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    const rows = Array.from({ length: 1500 }, (_, i) => [i, i % 700 === 0 ? huge : 'small']);
    const lines = [...tableLines(['n', 'value'], rows, { maxCellWidth: 40 })];
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(40 + 2 + 4);
    expect(lines[2]).toMatch(/^0 {4}x{39}…$/);
    expect(lines[1402]).toMatch(/^1400 {2}x{39}…$/);
  });

  it('keeps a row on one line whatever its value holds', () => {
    expect(cellText('a\nb\tc\r')).toBe('a\\nb\\tc\\r');
  });

  it('writes in chunks and waits for a slow reader', async () => {
    const out = new PassThrough({ highWaterMark: 1024 });
    let received = '';
    const done = writeLines(
      out,
      Array.from({ length: 20_000 }, (_, i) => `line ${i}`),
    );
    out.setEncoding('utf8').on('data', (c: string) => (received += c));
    await done;
    expect(received.split('\n')).toHaveLength(20_001);
  });
});
