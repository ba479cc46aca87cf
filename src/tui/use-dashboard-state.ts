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

export interface DashboardState {
  /** The focused (and expanded) panel; null shows every panel. */
  readonly focus: PanelId | null;
  readonly help: boolean;
  /** Branch picker: open, and its cursor over ["All branches", ...names]. */
  readonly picker: { readonly open: boolean; readonly cursor: number };
}

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
  | { type: 'close-picker' };

export function dashboardReducer(state: DashboardState, action: DashboardAction): DashboardState {
  switch (action.type) {
    case 'toggle-help':
      return { ...state, help: !state.help, picker: { ...state.picker, open: false } };
    case 'back':
      if (state.help) return { ...state, help: false };
      if (state.picker.open) return { ...state, picker: { ...state.picker, open: false } };
      return state.focus === null ? state : { ...state, focus: null };
    case 'focus':
      return { ...state, help: false, focus: state.focus === action.panel ? null : action.panel };
    case 'cycle-focus': {
      const order: (PanelId | null)[] = [null, ...PANELS];
      const at = order.indexOf(state.focus);
      const next = order[(at + action.direction + order.length) % order.length] ?? null;
      return { ...state, help: false, focus: next };
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
      return state.picker.open ? { ...state, picker: { ...state.picker, open: false } } : state;
  }
}

/** The reducer as a hook (the key bindings in use-dashboard.ts dispatch to it). */
export function useDashboardState(initial: DashboardState = initialDashboardState) {
  return useReducer(dashboardReducer, initial);
}
