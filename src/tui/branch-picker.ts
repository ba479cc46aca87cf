import { padEnd, span, type Line } from './spans.js';

export const ALL_BRANCHES = 'All branches';

/** The branches a `/` search keeps (case-insensitive substring). */
export function filterBranches(names: readonly string[], filter: string | undefined): readonly string[] {
  const needle = (filter ?? '').toLowerCase();
  return needle === '' ? names : names.filter((n) => n.toLowerCase().includes(needle));
}

/**
 * The `b` picker: "All branches" then every branch with sales, in columns when the terminal is wide, with
 * the cursor kept in view.
 */
export function branchPickerLines(
  names: readonly string[],
  cursor: number,
  current: string | null,
  width: number,
  height: number,
  search?: { readonly filter: string; readonly typing: boolean },
): Line[] {
  if (height <= 0) return [];
  const choices = [ALL_BRANCHES, ...names];
  const lines: Line[] = [
    search && (search.typing || search.filter !== '')
      ? [
          span(search.typing ? `/${search.filter}▏` : `filter “${search.filter}”`, 'accent', { bold: true }),
          span(
            `  ${names.length} match${names.length === 1 ? '' : 'es'} · ${search.typing ? 'enter keeps' : '/ changes'} · esc clears`,
            undefined,
            { dim: true },
          ),
        ]
      : [span('↑↓ jk pgup pgdn move · / search · enter apply · esc cancel', undefined, { dim: true })],
  ];
  const rows = Math.max(1, height - 1);
  const cellWidth = Math.min(32, Math.max(...choices.map((c) => c.length)) + 4);
  const perRow = Math.max(1, Math.floor(width / cellWidth));
  const visible = rows * perRow;
  // Column-major pages: a page holds `visible` choices; scroll whole pages so the cursor stays on screen.
  const page = Math.floor(cursor / visible);
  const start = page * visible;
  for (let r = 0; r < rows; r++) {
    const line: Line[number][] = [];
    for (let c = 0; c < perRow; c++) {
      const index = start + c * rows + r;
      const name = choices[index];
      if (name === undefined) continue;
      const selected = (index === 0 && current === null) || name === current;
      const text = padEnd(`${selected ? '● ' : '  '}${name}`, cellWidth - 1);
      line.push(
        span(text, selected ? 'accent' : undefined, { inverse: index === cursor, bold: index === cursor }),
        span(' '),
      );
    }
    if (line.length > 0) lines.push(line);
  }
  return lines;
}

/** How many choices move with pgup/pgdn for this panel size (one column's worth). */
export function pickerPageSize(height: number): number {
  return Math.max(1, height - 1);
}
