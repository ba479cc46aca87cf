import './force-color.js';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Dashboard, DashboardView } from '../../../src/tui/dashboard.js';
import { drillTable, drillTableLines, visibleRows } from '../../../src/tui/drill-down.js';
import { createTheme } from '../../../src/tui/theme.js';
import { interpretKey, NO_KEY, tableContext } from '../../../src/tui/use-dashboard.js';
import {
  dashboardReducer,
  initialDashboardState,
  initialTableState,
  tableOf,
  type DashboardAction,
  type DashboardState,
} from '../../../src/tui/use-dashboard-state.js';
import { BRANCHES, PushStore, SNAPSHOT } from './fixtures.js';
import { renderAt, stripAnsi, type Rendered } from './render-at.js';

const plain = createTheme(false);
let rendered: Rendered | undefined;
afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

const text = (lines: readonly (readonly { text: string }[])[]): string[] =>
  lines.map((l) => l.map((s) => s.text).join(''));

const apply = (state: DashboardState, ...actions: DashboardAction[]): DashboardState =>
  actions.reduce(dashboardReducer, state);

/** Presses keys as the live dashboard does (interpretKey then the reducer). */
function press(state: DashboardState, ...keys: (string | Partial<typeof NO_KEY>)[]): DashboardState {
  let current = state;
  for (const k of keys) {
    const { action } = interpretKey(
      typeof k === 'string' ? k : '',
      typeof k === 'string' ? NO_KEY : { ...NO_KEY, ...k },
      current,
      {
        branchNames: SNAPSHOT.gold!.branchNames,
        branch: null,
        pickerPage: 5,
        ...tableContext(current, SNAPSHOT, 3),
      },
    );
    if (action) current = dashboardReducer(current, action);
  }
  return current;
}

describe('drill-down table state (reducer)', () => {
  it('scrolls within the rows, sorts on the next column, reverses, and resets when the focus changes', () => {
    const focused = apply(initialDashboardState, { type: 'focus', panel: 'branches' });
    expect(tableOf(focused)).toEqual(initialTableState);
    const moved = apply(focused, { type: 'table-move', delta: 10, count: 6 });
    expect(tableOf(moved).cursor).toBe(5);
    expect(tableOf(apply(moved, { type: 'table-move', delta: -99, count: 6 })).cursor).toBe(0);
    const sorted = apply(moved, { type: 'table-sort', column: 3 }, { type: 'table-reverse' });
    expect(tableOf(sorted)).toMatchObject({ sort: 3, reverse: true, cursor: 0 });
    expect(tableOf(apply(sorted, { type: 'cycle-focus', direction: 1 }))).toEqual(initialTableState);
  });

  it('/ types a filter, enter keeps it, esc clears it; in the picker the cursor goes to the first match', () => {
    const focused = apply(initialDashboardState, { type: 'focus', panel: 'products' });
    const typed = apply(
      focused,
      { type: 'search-start' },
      { type: 'search-type', text: 'mo' },
      { type: 'search-type', text: 'x' },
      { type: 'search-backspace' },
    );
    expect(typed.searching).toBe(true);
    expect(tableOf(typed).filter).toBe('mo');
    const kept = apply(typed, { type: 'search-accept' });
    expect(kept.searching).toBe(false);
    expect(tableOf(kept).filter).toBe('mo');
    // Esc first clears a kept filter, then leaves the panel
    const cleared = apply(kept, { type: 'back' });
    expect(tableOf(cleared).filter).toBe('');
    expect(cleared.focus).toBe('products');
    expect(apply(cleared, { type: 'back' }).focus).toBeNull();

    const picker = apply(
      initialDashboardState,
      { type: 'open-picker', cursor: 0 },
      { type: 'search-start' },
      { type: 'search-type', text: 'tha' },
    );
    expect(picker.pickerFilter).toBe('tha');
    expect(picker.picker.cursor).toBe(1);
    expect(apply(picker, { type: 'search-clear' })).toMatchObject({ pickerFilter: '', searching: false });
  });
});

describe('drill-down keys', () => {
  it('j/k ↑↓ pgup/pgdn scroll, s sorts, S and r reverse, / searches; typed letters do not quit', () => {
    let s = press(initialDashboardState, '1');
    expect(s.focus).toBe('branches');
    s = press(s, 'j', 'j', { downArrow: true });
    expect(tableOf(s).cursor).toBe(3);
    s = press(s, 'k');
    expect(tableOf(s).cursor).toBe(2);
    s = press(s, { pageDown: true });
    expect(tableOf(s).cursor).toBe(5);
    s = press(s, { pageUp: true });
    expect(tableOf(s).cursor).toBe(2);
    // The default sort is revenue (column 1): s moves to share (2)
    s = press(s, 's');
    expect(tableOf(s)).toMatchObject({ sort: 2, cursor: 0 });
    s = press(s, 'S');
    expect(tableOf(s).reverse).toBe(true);
    s = press(s, 'r');
    expect(tableOf(s).reverse).toBe(false);
    s = press(s, '/', 'q', 'x', { backspace: true });
    expect(s).toMatchObject({ searching: true, table: { filter: 'q' } });
    expect(interpretKey('q', NO_KEY, s, { branchNames: [], branch: null, pickerPage: 5 })).not.toHaveProperty(
      'command',
    );
    s = press(s, { return: true });
    expect(s.searching).toBe(false);
    s = press(s, { escape: true });
    expect(tableOf(s).filter).toBe('');
    // Text and Enter in one read (a paste, or keys faster than a frame): typed, then kept
    s = press(s, '/', 'air\r');
    expect(s).toMatchObject({ searching: false, table: { filter: 'air' } });
    s = press(s, { escape: true }, '/', 'mo\nxyz');
    expect(s).toMatchObject({ searching: false, table: { filter: 'mo' } });
  });

  it('the picker filters with / and enter applies the match under the cursor', () => {
    const s = press(initialDashboardState, 'b', '/', 'l', 'a', 'k', 'e', { return: true });
    expect(s.searching).toBe(false);
    expect(s.pickerFilter).toBe('lake');
    const { command } = interpretKey('', { ...NO_KEY, return: true }, s, {
      branchNames: SNAPSHOT.gold!.branchNames,
      branch: null,
      pickerPage: 5,
    });
    expect(command).toEqual({ kind: 'branch', branch: 'Pokhara Lakeside' });
  });
});

describe('drill-down tables', () => {
  it('lists every branch with revenue, orders and items, sorted on any column either way', () => {
    const table = drillTable('branches', SNAPSHOT)!;
    expect(table.rows).toHaveLength(BRANCHES.length);
    const names = (sort: number, reverse = false) =>
      visibleRows(table, { ...initialTableState, sort, reverse }).map((r) => r.key);
    expect(names(-1)[0]).toBe('Jhamsikhel');
    expect(names(0)[0]).toBe('Bhaktapur');
    expect(names(3, true)[0]).toBe('Bhaktapur');
    expect(visibleRows(table, { ...initialTableState, filter: 'MARG' }).map((r) => r.key)).toEqual([
      'Durbar Marg',
    ]);
  });

  it('shows partitions with committed, latest, lag and its history', () => {
    const table = drillTable('health', SNAPSHOT)!;
    const lines = text(drillTableLines(table, initialTableState, false, 100, 14));
    // Under the partitions, the engine's recent batches fill the room
    expect(lines.some((l) => l.startsWith('recent batches'))).toBe(true);
    expect(lines.some((l) => /^batch \d+ +[\d,]+ rows/.test(l))).toBe(true);
    expect(lines[0]).toMatch(/partition ▲ +committed +latest +lag +lag age +lag history +verdict/);
    expect(lines.find((l) => l.startsWith('p2'))).toMatch(/7,500 +12,000 +4,500 rec ↑/);
    expect(lines.at(-1)).toMatch(/^1–\d+ of \d+ · sort partition ▲/);
    expect(drillTable('hourly', SNAPSHOT)).toBeUndefined();
  });

  it('keeps the cursor row in view and says which rows are shown', () => {
    const table = drillTable('branches', SNAPSHOT)!;
    // 6 rows, 3 visible (height 5 = header + 3 + status)
    const lines = text(drillTableLines(table, { ...initialTableState, cursor: 5 }, false, 70, 5));
    expect(lines).toHaveLength(5);
    expect(lines[3]).toMatch(/^Bhaktapur/);
    expect(lines[4]).toMatch(/^4–6 of 6/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(70);
  });
});

describe('drill-down view', () => {
  function frame(ui: DashboardState, columns = 80, rows = 24): string[] {
    rendered = renderAt(
      <DashboardView snapshot={SNAPSHOT} ui={ui} columns={columns} rows={rows} theme={plain} />,
      columns,
      rows,
    );
    return stripAnsi(rendered.lastFrame()).split('\n');
  }

  it('an expanded panel shows every branch and the keys that apply there, at 80×24 and 120×40', () => {
    for (const [c, r] of [
      [80, 24],
      [120, 40],
    ] as const) {
      const lines = frame(apply(initialDashboardState, { type: 'focus', panel: 'branches' }), c, r);
      const all = lines.join('\n');
      for (const b of BRANCHES) expect(all).toContain(b.branch);
      expect(all).toContain('revenue NPR ▼');
      expect(lines.at(-1)).toMatch(/↑↓\/jk\s+scroll\s+pgup\/pgdn\s+page\s+s\s+sort/);
      expect(lines.length).toBeLessThanOrEqual(r - 1);
      for (const l of lines) expect(l.length).toBeLessThanOrEqual(c - 1);
    }
  });

  it('while typing a search, the table and the hint bar show it', () => {
    const ui = apply(
      initialDashboardState,
      { type: 'focus', panel: 'branches' },
      { type: 'search-start' },
      { type: 'search-type', text: 'tham' },
    );
    const all = frame(ui).join('\n');
    expect(all).toContain('/tham');
    expect(all).toContain('1–1 of 1 (6 in all)');
    expect(all).not.toContain('Lazimpat');
    expect(frame(ui).at(-1)).toMatch(/enter\s+keep\s+esc\s+clear/);
  });

  it('the picker shows only the branches that match the search', () => {
    const ui = apply(
      initialDashboardState,
      { type: 'open-picker', cursor: 0 },
      { type: 'search-start' },
      { type: 'search-type', text: 'pat' },
    );
    const all = frame(ui).join('\n');
    expect(all).toContain('Lazimpat');
    expect(all).not.toContain('Thamel');
    expect(all).toContain('1 match');
  });
});

describe('the live dashboard drill-down', () => {
  it('expands with 1, sorts with s, searches with /', async () => {
    const store = new PushStore();
    const controls = { setPaused: vi.fn(), setRefreshMs: vi.fn(), setBranch: vi.fn() };
    rendered = renderAt(<Dashboard store={store} controls={controls} theme={plain} />, 100, 30);
    const settle = async () => {
      for (let i = 0; i < 5; i++) await tick();
    };
    const screen = () => stripAnsi(rendered!.lastFrame());
    await settle();
    rendered.stdin.write('1');
    await settle();
    expect(screen()).toContain('revenue NPR ▼');
    rendered.stdin.write('s');
    await settle();
    expect(screen()).toContain('share ▼');
    rendered.stdin.write('/');
    await settle();
    rendered.stdin.write('bhak');
    await settle();
    expect(screen()).toContain('/bhak');
    expect(screen()).not.toContain('Lazimpat');
    rendered.stdin.write(String.fromCharCode(27));
    await settle();
    await new Promise((r) => setTimeout(r, 30)); // Ink waits briefly to tell a lone Esc from a sequence
    await settle();
    expect(screen()).toContain('Lazimpat');
  });
});
