import { useReducer } from 'react';

/**
 * The dashboard's own UI state (what is focused, which overlay is open) as a pure reducer. What the model
 * reads (pause, refresh interval, branch filter) lives in the monitor model, not here.
 */

export const PANELS = ['branches', 'products', 'hourly', 'health', 'load'] as const;
export type PanelId = (typeof PANELS)[number];

export const PANEL_TITLES: Readonly<Record<PanelId, string>> = {
  branches: 'Revenue by branch',
  products: 'Product popularity',
  hourly: 'Hourly sales',
  health: 'Stream health',
  load: 'Load generator',
};

/** The drill-down table of the expanded panel. */
export interface TableState {
  /** Row under the cursor, in the filtered and sorted rows. */
  readonly cursor: number;
  /** Column sorted on; −1: the table's default. */
  readonly sort: number;
  readonly reverse: boolean;
  /** `/` search: rows whose name contains it (case-insensitive). */
  readonly filter: string;
}

export const initialTableState: TableState = { cursor: 0, sort: -1, reverse: false, filter: '' };

export interface DashboardState {
  /** The focused (and expanded) panel; null shows every panel. */
  readonly focus: PanelId | null;
  readonly help: boolean;
  /** Branch picker: open, and its cursor over ["All branches", ...names]. */
  readonly picker: { readonly open: boolean; readonly cursor: number };
  /** The expanded panel's table (reset when the focus changes). */
  readonly table?: TableState;
  /** The picker's `/` search. */
  readonly pickerFilter?: string;
  /** Typing a `/` search (into the picker when it is open, else into the table). */
  readonly searching?: boolean;
}

export const tableOf = (state: DashboardState): TableState => state.table ?? initialTableState;

export const initialDashboardState: DashboardState = {
  focus: null,
  help: false,
  picker: { open: false, cursor: 0 },
};

export type DashboardAction =
  | { type: 'toggle-help' }
  /** Esc: closes the top overlay, or leaves the focused panel. */
  | { type: 'back' }
  /** 1–5: focus that panel; pressing the focused panel's number again returns to all panels. */
  | { type: 'focus'; panel: PanelId }
  /** Tab / shift+tab: all → 1 → 2 … → 5 → all. */
  | { type: 'cycle-focus'; direction: 1 | -1 }
  /** Opens the picker with the cursor on the current filter (index into ["All", ...names]). */
  | { type: 'open-picker'; cursor: number }
  | { type: 'picker-move'; delta: number; count: number }
  | { type: 'picker-jump'; cursor: number }
  | { type: 'close-picker' }
  /** Table: move the cursor over `count` rows. */
  | { type: 'table-move'; delta: number; count: number }
  | { type: 'table-jump'; cursor: number }
  /** `s`: sort on this column (from the current, next one). */
  | { type: 'table-sort'; column: number }
  /** `S` / `r`: reverse the order. */
  | { type: 'table-reverse' }
  /** `/`: start typing a search. */
  | { type: 'search-start' }
  | { type: 'search-type'; text: string; accept?: boolean }
  | { type: 'search-backspace' }
  /** Enter: keep the search and stop typing. */
  | { type: 'search-accept' }
  /** Esc: drop the search. */
  | { type: 'search-clear' };

function withFilter(state: DashboardState, edit: (filter: string) => string): DashboardState {
  if (state.picker.open) {
    const filter = edit(state.pickerFilter ?? '');
    // The cursor goes to the first match (0 is "All branches").
    return { ...state, pickerFilter: filter, picker: { open: true, cursor: filter === '' ? 0 : 1 } };
  }
  const table = tableOf(state);
  return { ...state, table: { ...table, filter: edit(table.filter), cursor: 0 } };
}

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'toggle-help':
      return { ...state, help: !state.help, picker: { ...state.picker, open: false } };
    case 'back':
      if (state.help) return { ...state, help: false };
      if (state.picker.open) {
        return { ...state, picker: { ...state.picker, open: false }, pickerFilter: '', searching: false };
      }
      if (state.table && state.table.filter !== '')
        return { ...state, table: { ...state.table, filter: '' } };
      return state.focus === null ? state : { ...state, focus: null, table: initialTableState };
    case 'focus':
      return {
        ...state,
        help: false,
        focus: state.focus === action.panel ? null : action.panel,
        table: initialTableState,
        searching: false,
      };
    case 'cycle-focus': {
      const order: (PanelId | null)[] = [null, ...PANELS];
      const at = order.indexOf(state.focus);
      const next = order[(at + action.direction + order.length) % order.length] ?? null;
      return { ...state, help: false, focus: next, table: initialTableState, searching: false };
    }
    case 'open-picker':
      return { ...state, help: false, picker: { open: true, cursor: Math.max(0, action.cursor) } };
    case 'picker-move': {
      if (!state.picker.open || action.count <= 0) return state;
      const cursor = Math.min(action.count - 1, Math.max(0, state.picker.cursor + action.delta));
      return cursor === state.picker.cursor ? state : { ...state, picker: { open: true, cursor } };
    }
    case 'picker-jump':
      return state.picker.open
        ? { ...state, picker: { open: true, cursor: Math.max(0, action.cursor) } }
        : state;
    case 'close-picker':
      return state.picker.open
        ? { ...state, picker: { ...state.picker, open: false }, pickerFilter: '', searching: false }
        : state;
    case 'table-move': {
      const table = tableOf(state);
      const cursor = Math.max(0, Math.min(action.count - 1, table.cursor + action.delta));
      return cursor === table.cursor ? state : { ...state, table: { ...table, cursor } };
    }
    case 'table-jump':
      return { ...state, table: { ...tableOf(state), cursor: Math.max(0, action.cursor) } };
    case 'table-sort':
      return { ...state, table: { ...tableOf(state), sort: action.column, reverse: false, cursor: 0 } };
    case 'table-reverse': {
      const table = tableOf(state);
      return { ...state, table: { ...table, reverse: !table.reverse, cursor: 0 } };
    }
    case 'search-start':
      return { ...withFilter(state, () => ''), searching: true };
    case 'search-type': {
      if (!state.searching) return state;
      const typed = withFilter(state, (f) => f + action.text);
      return action.accept === true ? { ...typed, searching: false } : typed;
    }
    case 'search-backspace':
      return state.searching ? withFilter(state, (f) => f.slice(0, -1)) : state;
    case 'search-accept':
      return { ...state, searching: false };
    case 'search-clear':
      return { ...withFilter(state, () => ''), searching: false };
  }
}

/** The reducer as a hook (the key bindings in use-dashboard.ts dispatch to it). */
export function useDashboardState(initial: DashboardState = initialDashboardState) {
  return useReducer(dashboardReducer, initial);
}
