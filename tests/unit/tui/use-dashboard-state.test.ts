import { describe, expect, it } from 'vitest';
import {
  dashboardReducer,
  initialDashboardState,
  type DashboardAction,
  type DashboardState,
} from '../../../src/tui/use-dashboard-state.js';

const run = (actions: DashboardAction[], from: DashboardState = initialDashboardState): DashboardState =>
  actions.reduce(dashboardReducer, from);

describe('dashboard UI reducer', () => {
  it('focuses a panel by number and returns to all panels on the same number again', () => {
    expect(run([{ type: 'focus', panel: 'hourly' }]).focus).toBe('hourly');
    expect(
      run([
        { type: 'focus', panel: 'hourly' },
        { type: 'focus', panel: 'hourly' },
      ]).focus,
    ).toBeNull();
    expect(
      run([
        { type: 'focus', panel: 'hourly' },
        { type: 'focus', panel: 'load' },
      ]).focus,
    ).toBe('load');
  });

  it('cycles focus with tab through every panel and back to all, and backwards with shift+tab', () => {
    const forward: (string | null)[] = [];
    let s = initialDashboardState;
    for (let i = 0; i < 6; i++) {
      s = dashboardReducer(s, { type: 'cycle-focus', direction: 1 });
      forward.push(s.focus);
    }
    expect(forward).toEqual(['branches', 'products', 'hourly', 'health', 'load', null]);
    expect(run([{ type: 'cycle-focus', direction: -1 }]).focus).toBe('load');
  });

  it('toggles help, and esc closes the top overlay first, then leaves the focused panel', () => {
    const withHelp = run([{ type: 'focus', panel: 'health' }, { type: 'toggle-help' }]);
    expect(withHelp.help).toBe(true);
    const once = dashboardReducer(withHelp, { type: 'back' });
    expect(once).toMatchObject({ help: false, focus: 'health' });
    expect(dashboardReducer(once, { type: 'back' }).focus).toBeNull();
    expect(run([{ type: 'toggle-help' }, { type: 'toggle-help' }]).help).toBe(false);
  });

  it('moves the branch picker cursor within its choices and closes it', () => {
    const open = run([{ type: 'open-picker', cursor: 2 }]);
    expect(open.picker).toEqual({ open: true, cursor: 2 });
    expect(dashboardReducer(open, { type: 'picker-move', delta: 10, count: 5 }).picker.cursor).toBe(4);
    expect(dashboardReducer(open, { type: 'picker-move', delta: -10, count: 5 }).picker.cursor).toBe(0);
    expect(dashboardReducer(open, { type: 'picker-jump', cursor: 3 }).picker.cursor).toBe(3);
    expect(dashboardReducer(open, { type: 'back' }).picker.open).toBe(false);
    expect(dashboardReducer(open, { type: 'close-picker' }).picker.open).toBe(false);
    // Moves do nothing while the picker is closed
    expect(run([{ type: 'picker-move', delta: 1, count: 5 }])).toBe(initialDashboardState);
  });

  it('opening help closes the picker, and vice versa', () => {
    expect(run([{ type: 'open-picker', cursor: 0 }, { type: 'toggle-help' }]).picker.open).toBe(false);
    expect(run([{ type: 'toggle-help' }, { type: 'open-picker', cursor: 0 }]).help).toBe(false);
  });
});
