import { describe, expect, it, vi } from 'vitest';
import {
  interpretKey,
  NO_KEY,
  KEY_HELP,
  runCommand,
  splitKeys,
  type KeyPress,
} from '../../../src/tui/use-dashboard.js';
import { initialDashboardState, type DashboardState } from '../../../src/tui/use-dashboard-state.js';
import { SNAPSHOT } from './fixtures.js';

const NONE: KeyPress = NO_KEY;
const ctx = { branchNames: ['Boudha', 'Jhamsikhel', 'Thamel'], branch: null, pickerPage: 10 };
const picker = (cursor: number): DashboardState => ({
  ...initialDashboardState,
  picker: { open: true, cursor },
});

describe('dashboard key bindings', () => {
  it('maps the documented keys to actions and model commands', () => {
    expect(interpretKey('?', NONE, initialDashboardState, ctx)).toEqual({ action: { type: 'toggle-help' } });
    expect(interpretKey('q', NONE, initialDashboardState, ctx)).toEqual({ command: { kind: 'quit' } });
    expect(interpretKey('c', { ...NONE, ctrl: true }, initialDashboardState, ctx)).toEqual({
      command: { kind: 'quit' },
    });
    expect(interpretKey('p', NONE, initialDashboardState, ctx)).toEqual({
      command: { kind: 'toggle-pause' },
    });
    expect(interpretKey('+', NONE, initialDashboardState, ctx)).toEqual({
      command: { kind: 'refresh', direction: -1 },
    });
    expect(interpretKey('-', NONE, initialDashboardState, ctx)).toEqual({
      command: { kind: 'refresh', direction: 1 },
    });
    expect(interpretKey('', { ...NONE, tab: true }, initialDashboardState, ctx)).toEqual({
      action: { type: 'cycle-focus', direction: 1 },
    });
    expect(interpretKey('', { ...NONE, tab: true, shift: true }, initialDashboardState, ctx)).toEqual({
      action: { type: 'cycle-focus', direction: -1 },
    });
    expect(interpretKey('3', NONE, initialDashboardState, ctx)).toEqual({
      action: { type: 'focus', panel: 'hourly' },
    });
    expect(interpretKey('', { ...NONE, escape: true }, initialDashboardState, ctx)).toEqual({
      action: { type: 'back' },
    });
    expect(interpretKey('x', NONE, initialDashboardState, ctx)).toEqual({});
  });

  it('opens the branch picker on the current filter', () => {
    expect(interpretKey('b', NONE, initialDashboardState, ctx)).toEqual({
      action: { type: 'open-picker', cursor: 0 },
    });
    expect(interpretKey('b', NONE, initialDashboardState, { ...ctx, branch: 'Thamel' })).toEqual({
      action: { type: 'open-picker', cursor: 3 },
    });
  });

  it('in the picker: moves, applies the chosen branch (or all) with enter, cancels with b or esc', () => {
    expect(interpretKey('j', NONE, picker(0), ctx)).toEqual({
      action: { type: 'picker-move', delta: 1, count: 4 },
    });
    expect(interpretKey('', { ...NONE, upArrow: true }, picker(2), ctx)).toEqual({
      action: { type: 'picker-move', delta: -1, count: 4 },
    });
    expect(interpretKey('', { ...NONE, pageDown: true }, picker(0), ctx)).toEqual({
      action: { type: 'picker-move', delta: 10, count: 4 },
    });
    expect(interpretKey('', { ...NONE, return: true }, picker(2), ctx)).toEqual({
      action: { type: 'close-picker' },
      command: { kind: 'branch', branch: 'Jhamsikhel' },
    });
    expect(interpretKey('', { ...NONE, return: true }, picker(0), ctx).command).toEqual({
      kind: 'branch',
      branch: null,
    });
    expect(interpretKey('b', NONE, picker(1), ctx)).toEqual({ action: { type: 'close-picker' } });
    // p does nothing inside the picker; q still quits
    expect(interpretKey('p', NONE, picker(1), ctx)).toEqual({});
    expect(interpretKey('q', NONE, picker(1), ctx)).toEqual({ command: { kind: 'quit' } });
  });

  it('splits typed-ahead keys so each one counts', () => {
    expect(splitKeys('jj\r', NONE).map((k) => [k.input, k.key.return])).toEqual([
      ['j', false],
      ['j', false],
      ['', true],
    ]);
    expect(splitKeys('q', NONE)).toEqual([{ input: 'q', key: NONE }]);
  });

  it('applies commands to the model: + is a shorter interval, p toggles pause', () => {
    const controls = { setPaused: vi.fn(), setRefreshMs: vi.fn(), setBranch: vi.fn() };
    const quit = vi.fn();
    runCommand({ kind: 'refresh', direction: -1 }, SNAPSHOT, controls, quit);
    expect(controls.setRefreshMs).toHaveBeenCalledWith(500);
    runCommand({ kind: 'toggle-pause' }, SNAPSHOT, controls, quit);
    expect(controls.setPaused).toHaveBeenCalledWith(true);
    runCommand({ kind: 'branch', branch: 'Thamel' }, SNAPSHOT, controls, quit);
    expect(controls.setBranch).toHaveBeenCalledWith('Thamel');
    runCommand({ kind: 'quit' }, SNAPSHOT, controls, quit);
    expect(quit).toHaveBeenCalledOnce();
  });

  it('documents every bound key in the help', () => {
    const documented = KEY_HELP.map((k) => k.keys).join(' ');
    for (const key of ['?', 'q', 'p', 'tab', '1', '5', 'esc', '+', '-', 'b', 'enter'.slice(0, 0)]) {
      expect(documented).toContain(key);
    }
  });
});
