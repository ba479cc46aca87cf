import type { Writable } from 'node:stream';

/** The widest a `brewline query` text cell gets; longer values end in "…" (`--json` prints them whole). */
export const DEFAULT_MAX_CELL_WIDTH = 80;
/** Column widths come from the header and this many first rows, so output starts without a second pass. */
const WIDTH_SAMPLE_ROWS = 1000;

/**
 * One value as table text (NULL, strings as they are, everything else as JSON), never multi-line, and cut to
 * `limit` characters before any copy is made of a huge value.
 */
export function cellText(value: unknown, limit = Number.POSITIVE_INFINITY): string {
  if (value === null || value === undefined) return 'NULL';
  const whole = typeof value === 'string' ? value : JSON.stringify(value);
  const text = whole.length > limit ? whole.slice(0, limit) : whole;
  return text.replace(/[\r\n\t]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : '\\t'));
}

function fit(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

export interface TableOptions {
  /** @default DEFAULT_MAX_CELL_WIDTH */
  maxCellWidth?: number;
}

/**
 * The lines of a plain-text table, produced one at a time: widths from the header and the first rows (each
 * capped at the cell width; a later, wider value overflows its column up to the cap). Memory stays proportional to one line whatever the row count
 * or the size of a value.
 */
export function* tableLines(
  columns: readonly string[],
  rows: Iterable<readonly unknown[]>,
  options: TableOptions = {},
): Generator<string> {
  const cap = Math.max(1, options.maxCellWidth ?? DEFAULT_MAX_CELL_WIDTH);
  const widths = columns.map((c) => Math.min(cap, c.length));
  const sample: string[][] = [];
  const iterator = rows[Symbol.iterator]();
  let next = iterator.next();
  while (!next.done && sample.length < WIDTH_SAMPLE_ROWS) {
    const cells = columns.map((_c, i) => fit(cellText(next.value[i], cap + 1), cap));
    cells.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
    sample.push(cells);
    next = iterator.next();
  }
  // A later value wider than the sampled column still shows up to the cap (that row is out of line).
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => fit(c, cap).padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  yield line(columns);
  yield line(widths.map((w) => '-'.repeat(w)));
  for (const cells of sample) yield line(cells);
  sample.length = 0;
  while (!next.done) {
    yield line(columns.map((_c, i) => cellText(next.value[i], cap + 1)));
    next = iterator.next();
  }
}

/** Writes lines to a stream in chunks of about 64 KiB, waiting for it to drain (a slow pipe is not buffered). */
export async function writeLines(out: Writable, lines: Iterable<string>): Promise<void> {
  let chunk = '';
  for (const l of lines) {
    chunk += `${l}\n`;
    if (chunk.length >= 1 << 16) {
      const flushed = out.write(chunk);
      chunk = '';
      if (!flushed) await new Promise<void>((resolve) => out.once('drain', resolve));
    }
  }
  if (chunk) out.write(chunk);
}
