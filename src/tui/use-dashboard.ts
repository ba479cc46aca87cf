import { useApp, useInput, type Key } from 'ink';
import { stepRefresh } from '../monitor/monitor-model.js';
import type { MonitorSnapshot } from '../monitor/monitor-snapshot.js';
import { filterBranches } from './branch-picker.js';
import { drillTable, sortColumn } from './drill-down.js';
import {
  dashboardReducer,
  tableOf,
  PANELS,
  useDashboardState,
  type DashboardAction,
  type DashboardState,
} from './use-dashboard-state.js';

/** What the keys can ask of the monitor model (it owns pause, refresh interval and the branch filter). */
export interface MonitorControls {
  setPaused(paused: boolean): void;
  setRefreshMs(ms: number): void;
  setBranch(branch: string | null): void;
}

export type ModelCommand =
  | { kind: 'toggle-pause' }
  | { kind: 'refresh'; direction: 1 | -1 }
  | { kind: 'branch'; branch: string | null }
  | { kind: 'quit' };

/** The keys the help overlay lists, in order. Every binding below appears here. */
export const KEY_HELP: readonly { readonly keys: string; readonly does: string }[] = [
  { keys: '?', does: 'show / hide this help' },
  { keys: 'q  ctrl+c', does: 'quit (the demo stops its simulator and pipeline cleanly)' },
  { keys: 'p', does: 'freeze / resume the display (data keeps flowing)' },
  { keys: 'tab  shift+tab', does: 'focus and expand the next / previous panel' },
  { keys: '1 2 3 4 5', does: 'focus and expand that panel; again: back to all panels' },
  { keys: 'esc', does: 'close help or picker; back to all panels' },
  { keys: '+  -', does: 'refresh faster / slower (250ms … 10s)' },
  { keys: 'b', does: 'choose a branch filter for every chart' },
  { keys: '↑ ↓  j k  pgup pgdn', does: 'move in the picker (enter applies) or scroll an expanded table' },
  { keys: 's  S r', does: 'expanded table: sort on the next column / reverse the order' },
  { keys: '/', does: 'search in a table or the picker; enter keeps it, esc clears' },
];

export type KeyPress = Pick<
  Key,
  | 'tab'
  | 'shift'
  | 'escape'
  | 'return'
  | 'upArrow'
  | 'downArrow'
  | 'pageUp'
  | 'pageDown'
  | 'home'
  | 'end'
  | 'ctrl'
  | 'backspace'
  | 'delete'
>;

export interface KeyContext {
  /** The picker's choices after "All branches". */
  readonly branchNames: readonly string[];
  readonly branch: string | null;
  /** Rows the picker shows at once (page size for pgup/pgdn). */
  readonly pickerPage: number;
  /** The expanded panel's table, when it has one: rows after the search, columns, current sort column. */
  readonly table?: {
    readonly rows: number;
    readonly columns: number;
    readonly sort: number;
    readonly page: number;
  };
}

/** Maps one key press to a UI action and/or a model command. Pure, so every binding is unit-tested. */
export function interpretKey(
  input: string,
  key: KeyPress,
  state: DashboardState,
  ctx: KeyContext,
): { action?: DashboardAction; command?: ModelCommand } {
  if (key.ctrl && input === 'c') return { command: { kind: 'quit' } };
  if (state.searching) {
    if (key.escape) return { action: { type: 'search-clear' } };
    if (key.return) return { action: { type: 'search-accept' } };
    if (key.backspace || key.delete) return { action: { type: 'search-backspace' } };
    if (!key.upArrow && !key.downArrow && !key.pageUp && !key.pageDown && !key.tab && !key.ctrl) {
      // Text and Enter in one read (a paste of "air⏎", or keys typed faster than the screen draws): the text
      // before the first line break is the filter, and the break accepts it, as Enter alone would.
      const lineBreak = input.search(/[\r\n]/);
      // eslint-disable-next-line no-control-regex
      const text = (lineBreak < 0 ? input : input.slice(0, lineBreak)).replace(/[\x00-\x1f\x7f]/g, '');
      if (lineBreak >= 0) return { action: { type: 'search-type', text, accept: true } };
      return text === '' ? {} : { action: { type: 'search-type', text } };
    }
  }
  if (input === 'q') return { command: { kind: 'quit' } };
  if (key.escape) return { action: { type: 'back' } };

  if (state.picker.open) {
    const names = filterBranches(ctx.branchNames, state.pickerFilter);
    const count = names.length + 1;
    if (key.return) {
      const branch = state.picker.cursor === 0 ? null : (names[state.picker.cursor - 1] ?? null);
      return { action: { type: 'close-picker' }, command: { kind: 'branch', branch } };
    }
    if (input === '/') return { action: { type: 'search-start' } };
    if (input === 'b') return { action: { type: 'close-picker' } };
    if (key.upArrow || input === 'k') return { action: { type: 'picker-move', delta: -1, count } };
    if (key.downArrow || input === 'j') return { action: { type: 'picker-move', delta: 1, count } };
    if (key.pageUp) return { action: { type: 'picker-move', delta: -ctx.pickerPage, count } };
    if (key.pageDown) return { action: { type: 'picker-move', delta: ctx.pickerPage, count } };
    if (key.home) return { action: { type: 'picker-jump', cursor: 0 } };
    if (key.end) return { action: { type: 'picker-jump', cursor: count - 1 } };
    if (input === '?') return { action: { type: 'toggle-help' } };
    return {};
  }

  if (input === '?') return { action: { type: 'toggle-help' } };
  if (input === 'p') return { command: { kind: 'toggle-pause' } };
  if (input === '+' || input === '=') return { command: { kind: 'refresh', direction: -1 } };
  if (input === '-' || input === '_') return { command: { kind: 'refresh', direction: 1 } };
  if (key.tab) return { action: { type: 'cycle-focus', direction: key.shift ? -1 : 1 } };
  if (/^[1-5]$/.test(input)) return { action: { type: 'focus', panel: PANELS[Number(input) - 1]! } };
  const table = state.focus === null ? undefined : ctx.table;
  if (table) {
    const count = table.rows;
    if (key.upArrow || input === 'k') return { action: { type: 'table-move', delta: -1, count } };
    if (key.downArrow || input === 'j') return { action: { type: 'table-move', delta: 1, count } };
    if (key.pageUp) return { action: { type: 'table-move', delta: -table.page, count } };
    if (key.pageDown) return { action: { type: 'table-move', delta: table.page, count } };
    if (key.home || input === 'g') return { action: { type: 'table-jump', cursor: 0 } };
    if (key.end || input === 'G') return { action: { type: 'table-jump', cursor: Math.max(0, count - 1) } };
    if (input === 's') return { action: { type: 'table-sort', column: (table.sort + 1) % table.columns } };
    if (input === 'S' || input === 'r') return { action: { type: 'table-reverse' } };
    if (input === '/') return { action: { type: 'search-start' } };
  }
  if (input === 'b') {
    const at = ctx.branch === null ? 0 : ctx.branchNames.indexOf(ctx.branch) + 1;
    return { action: { type: 'open-picker', cursor: Math.max(0, at) } };
  }
  return {};
}

/** Applies a command to the model. `+` means faster: a shorter interval. */
export function runCommand(
  command: ModelCommand,
  snapshot: MonitorSnapshot,
  controls: MonitorControls,
  quit: () => void,
): void {
  switch (command.kind) {
    case 'toggle-pause':
      controls.setPaused(!snapshot.paused);
      return;
    case 'refresh':
      controls.setRefreshMs(stepRefresh(snapshot.refreshMs, command.direction));
      return;
    case 'branch':
      controls.setBranch(command.branch);
      return;
    case 'quit':
      quit();
  }
}

/** A key press with no modifier or special key set. */
export const NO_KEY: KeyPress = {
  tab: false,
  shift: false,
  escape: false,
  return: false,
  upArrow: false,
  downArrow: false,
  pageUp: false,
  pageDown: false,
  home: false,
  end: false,
  ctrl: false,
  backspace: false,
  delete: false,
};

/**
 * Splits one input event into key presses: typed-ahead or pasted keys ("jj" + Enter) arrive as one string,
 * and each of them should count.
 */
export function splitKeys(input: string, key: KeyPress): { input: string; key: KeyPress }[] {
  const special = (Object.keys(NO_KEY) as (keyof KeyPress)[]).some((k) => key[k]);
  if (special || input.length <= 1) return [{ input, key }];
  return [...input].map((ch) =>
    ch === '\r' || ch === '\n'
      ? { input: '', key: { ...NO_KEY, return: true } }
      : ch === '\t'
        ? { input: '', key: { ...NO_KEY, tab: true } }
        : { input: ch, key: NO_KEY },
  );
}

/** What the keys need to know of the expanded panel's table. */
export function tableContext(
  state: DashboardState,
  snapshot: MonitorSnapshot,
  page: number,
): Pick<KeyContext, 'table'> {
  const table = drillTable(state.focus, snapshot);
  if (!table) return {};
  const ui = tableOf(state);
  const needle = ui.filter.toLowerCase();
  const rows = table.rows.filter((r) => r.key.toLowerCase().includes(needle)).length;
  return { table: { rows, columns: table.columns.length, sort: sortColumn(table, ui), page } };
}

/** Key bindings of the dashboard: reads keys with Ink's useInput, updates UI state and the model. */
export function useDashboard(
  snapshot: MonitorSnapshot,
  controls: MonitorControls,
  pickerPage: number,
  tablePage = 10,
): DashboardState {
  const [state, dispatch] = useDashboardState();
  const { exit } = useApp();
  useInput((input, key) => {
    let current = state;
    for (const press of splitKeys(input, key)) {
      const { action, command } = interpretKey(press.input, press.key, current, {
        branchNames: snapshot.gold?.branchNames ?? [],
        branch: snapshot.branch,
        pickerPage,
        ...tableContext(current, snapshot, tablePage),
      });
      if (action) {
        current = dashboardReducer(current, action);
        dispatch(action);
      }
      if (command) runCommand(command, snapshot, controls, () => exit());
    }
  });
  return state;
}
