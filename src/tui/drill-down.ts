import {
  formatCount,
  formatDuration,
  formatLag,
  formatSeconds,
  formatShare,
} from '../monitor/display-format.js';
import type { MonitorSnapshot } from '../monitor/monitor-snapshot.js';
import { formatNpr } from '../domain/money.js';
import { bar, sparkline } from './sparkline.js';
import { padEnd, padStart, span, truncate, type Line } from './spans.js';
import type { PanelId, TableState } from './use-dashboard-state.js';
import { verdictTone } from './theme.js';

/**
 * The drill-down of an expanded panel (k9s-style): every row of its data as a table that scrolls, sorts on
 * any column and filters by a search. Pure: data in, lines out.
 */

export interface Column {
  readonly title: string;
  /** Numbers are right-aligned. */
  readonly numeric: boolean;
  /** Sorts largest first before `reverse` (amounts, counts); else smallest / A→Z first. */
  readonly descending?: boolean;
  /** Width the column would like; the first column takes what is left. */
  readonly width: number;
}

export interface TableRow {
  /** What `/` matches (case-insensitive). */
  readonly key: string;
  readonly cells: readonly string[];
  /** Sort values, one per column. */
  readonly values: readonly (number | string)[];
  readonly tone?: ReturnType<typeof verdictTone>;
}

export interface DrillTable {
  readonly columns: readonly Column[];
  readonly rows: readonly TableRow[];
  /** The column sorted on until `s` picks another (what the small panel shows). */
  readonly defaultSort: number;
  /** Shown under the rows when there is room (the health panel's recent batches). */
  readonly extra?: readonly Line[];
}

/** The column a table is sorted on in this state. */
export function sortColumn(table: DrillTable, state: TableState): number {
  return state.sort < 0 ? table.defaultSort : Math.min(state.sort, table.columns.length - 1);
}

/** Panels that expand into a table. */
export function hasTable(id: PanelId | null): boolean {
  return id === 'branches' || id === 'products' || id === 'health';
}

/** The full table of a panel, unsorted and unfiltered; undefined for panels without one. */
export function drillTable(id: PanelId | null, s: MonitorSnapshot): DrillTable | undefined {
  switch (id) {
    case 'branches': {
      const gold = s.gold;
      return {
        columns: [
          { title: 'branch', numeric: false, width: 20 },
          { title: 'revenue NPR', numeric: true, descending: true, width: 16 },
          { title: 'share', numeric: true, descending: true, width: 6 },
          { title: 'orders', numeric: true, descending: true, width: 8 },
          { title: 'items', numeric: true, descending: true, width: 8 },
        ],
        defaultSort: 1,
        rows: (gold?.branches ?? []).map((b) => ({
          key: b.branch,
          cells: [
            b.branch,
            formatNpr(b.revenue),
            formatShare(b.revenue, gold?.chainRevenue ?? b.revenue),
            formatCount(b.orders),
            formatCount(b.items),
          ],
          values: [b.branch, Number(b.revenue), Number(b.revenue), b.orders, b.items],
        })),
      };
    }
    case 'products':
      return {
        columns: [
          { title: 'item', numeric: false, width: 24 },
          { title: 'category', numeric: false, width: 12 },
          { title: 'qty', numeric: true, descending: true, width: 7 },
          { title: 'revenue NPR', numeric: true, descending: true, width: 16 },
          { title: 'orders', numeric: true, descending: true, width: 8 },
        ],
        defaultSort: 2,
        rows: (s.gold?.products ?? []).map((p) => ({
          key: `${p.itemName} ${p.category}`,
          cells: [
            p.itemName,
            p.category,
            formatCount(p.quantity),
            formatNpr(p.revenue),
            formatCount(p.orders),
          ],
          values: [p.itemName, p.category, p.quantity, Number(p.revenue), p.orders],
        })),
      };
    case 'health': {
      const unit = s.stream?.offsetUnit ?? 'records';
      return {
        columns: [
          { title: 'partition', numeric: true, width: 9, descending: false },
          { title: 'committed', numeric: true, descending: true, width: 12 },
          { title: 'latest', numeric: true, descending: true, width: 12 },
          { title: 'lag', numeric: true, descending: true, width: 12 },
          { title: 'lag age', numeric: true, descending: true, width: 8 },
          { title: 'lag history', numeric: true, descending: true, width: 12 },
          { title: 'verdict', numeric: false, width: 7 },
        ],
        defaultSort: 0,
        extra: recentBatchLines(s),
        rows: (s.stream?.partitions ?? []).map((p) => ({
          key: `p${p.partition} ${p.partition} ${p.verdict}`,
          cells: [
            `p${p.partition}`,
            formatCount(p.committed),
            formatCount(p.latest),
            `${formatLag(p.lag, unit)}${p.rising ? ' ↑' : ''}`,
            formatSeconds(p.lagSeconds),
            sparkline(p.lagHistory, 12),
            p.verdict,
          ],
          values: [p.partition, p.committed, p.latest, p.lag, p.lagSeconds ?? -1, p.lag, p.verdict],
          tone: verdictTone(p.verdict),
        })),
      };
    }
    default:
      return undefined;
  }
}

/** The engine's recent batches, newest first: id, rows, duration as a bar, start time (UTC). */
function recentBatchLines(s: MonitorSnapshot): Line[] {
  const batches = [...(s.stream?.recentBatches ?? [])].reverse();
  if (batches.length === 0) return [];
  const longest = Math.max(1, ...batches.map((b) => b.durationMs));
  return [
    [span('recent batches (newest first)', undefined, { dim: true, bold: true })],
    ...batches.map((b) => [
      span(padEnd(`batch ${b.batchId}`, 14)),
      span(padStart(`${formatCount(b.inputRows)} rows`, 14)),
      span(padStart(formatDuration(b.durationMs), 9), undefined, { bold: true }),
      span(' '),
      span(padEnd(bar(b.durationMs, longest, 16), 16), 'bar'),
      span(` ${b.timestamp.slice(11, 19)} UTC`, undefined, { dim: true }),
    ]),
  ];
}

/** The rows the table shows, in order: filtered by the search, sorted on the chosen column. */
export function visibleRows(table: DrillTable, state: TableState): TableRow[] {
  const needle = state.filter.toLowerCase();
  const rows =
    needle === '' ? [...table.rows] : table.rows.filter((r) => r.key.toLowerCase().includes(needle));
  const column = sortColumn(table, state);
  const descending = table.columns[column]?.descending ?? false;
  rows.sort((a, b) => {
    const x = a.values[column] ?? '';
    const y = b.values[column] ?? '';
    const order =
      typeof x === 'number' && typeof y === 'number'
        ? x - y
        : String(x).localeCompare(String(y), 'en', { numeric: true });
    return (state.reverse ? -1 : 1) * (descending ? -order : order);
  });
  return rows;
}

/** Table lines for the panel's inner size: header, the rows around the cursor, and a status line. */
export function drillTableLines(
  table: DrillTable,
  state: TableState,
  searching: boolean,
  width: number,
  height: number,
): Line[] {
  if (height <= 0) return [];
  const rows = visibleRows(table, state);
  const column = sortColumn(table, state);
  // Columns after the first keep their width while they fit; the first takes the rest.
  const widths = table.columns.map((c) => Math.max(c.width, c.title.length + 2));
  let used = widths.slice(1).reduce((sum, w) => sum + w + 1, 0);
  let shownColumns = table.columns.length;
  while (shownColumns > 1 && width - used < 8) {
    shownColumns--;
    used -= widths[shownColumns]! + 1;
  }
  widths[0] = Math.max(4, width - used);
  const cell = (text: string, i: number): string =>
    table.columns[i]!.numeric && i > 0 ? padStart(text, widths[i]!) : padEnd(text, widths[i]!);
  const arrow = (table.columns[column]?.descending ?? false) !== state.reverse ? '▼' : '▲';
  const header: Line = table.columns.slice(0, shownColumns).flatMap((c, i) => [
    ...(i === 0 ? [] : [span(' ')]),
    span(cell(i === column ? `${c.title} ${arrow}` : c.title, i), i === column ? 'accent' : undefined, {
      bold: i === column,
      dim: i !== column,
    }),
  ]);
  const body = Math.max(0, height - 2);
  const cursor = Math.min(state.cursor, Math.max(0, rows.length - 1));
  const offset = Math.max(0, Math.min(cursor - Math.floor(body / 2), rows.length - body));
  const lines: Line[] = [header];
  for (const [n, row] of rows.slice(offset, offset + body).entries()) {
    const selected = offset + n === cursor;
    lines.push(
      row.cells.slice(0, shownColumns).flatMap((text, i) => [
        ...(i === 0 ? [] : [span(' ', undefined, { inverse: selected })]),
        span(cell(text, i), i === shownColumns - 1 || i === 0 ? row.tone : undefined, {
          inverse: selected,
          bold: i === column,
        }),
      ]),
    );
  }
  if (rows.length === 0) {
    lines.push([
      span(state.filter ? `nothing matches “${state.filter}”` : 'no rows yet', undefined, { dim: true }),
    ]);
  }
  // Extra lines (recent batches) fill the room the rows leave, after a blank line.
  const extra = table.extra ?? [];
  if (extra.length > 0 && lines.length + 2 < height - 1) {
    lines.push([]);
    lines.push(...extra.slice(0, height - 1 - lines.length));
  }
  while (lines.length < height - 1) lines.push([]);
  if (height > 1) {
    const range = rows.length === 0 ? '0' : `${offset + 1}–${Math.min(rows.length, offset + body)}`;
    const status = [
      `${range} of ${rows.length}${rows.length === table.rows.length ? '' : ` (${table.rows.length} in all)`}`,
      `sort ${table.columns[column]?.title ?? ''} ${arrow}`,
    ];
    const search = searching ? `/${state.filter}▏` : state.filter ? `filter “${state.filter}”` : '';
    lines.push([
      span(truncate(status.join(' · '), width), undefined, { dim: true }),
      ...(search ? [span('  '), span(search, 'accent', { bold: true })] : []),
    ]);
  }
  return lines.slice(0, height);
}

/** How many rows move with pgup/pgdn in a table of this inner height. */
export function tablePageSize(height: number): number {
  return Math.max(1, height - 3);
}
