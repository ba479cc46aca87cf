import './force-color.js';
import { setImmediate as tick } from 'node:timers/promises';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { MonitorSnapshot } from '../../../src/monitor/monitor-snapshot.js';
import { Dashboard, DashboardView } from '../../../src/tui/dashboard.js';
import { createTheme } from '../../../src/tui/theme.js';
import { KEY_HELP } from '../../../src/tui/use-dashboard.js';
import { initialDashboardState, type DashboardState } from '../../../src/tui/use-dashboard-state.js';
import { PushStore, SNAPSHOT } from './fixtures.js';
import { renderAt, stripAnsi, type Rendered } from './render-at.js';

const ESC = String.fromCharCode(27);
const colour = createTheme(true);
const plain = createTheme(false);
let rendered: Rendered | undefined;

afterEach(() => {
  rendered?.unmount();
  rendered = undefined;
});

function view(
  snapshot: MonitorSnapshot,
  columns: number,
  rows: number,
  ui: DashboardState = initialDashboardState,
  theme = colour,
) {
  rendered = renderAt(
    <DashboardView snapshot={snapshot} ui={ui} columns={columns} rows={rows} theme={theme} />,
    columns,
    rows,
  );
  const frame = rendered.lastFrame();
  return { frame, text: stripAnsi(frame), lines: stripAnsi(frame).split('\n') };
}

const SGR = new RegExp(`^${ESC}\\[([0-9;]*)m`);

/** SGR codes written right before the first `text` (after `after`, if given), e.g. ["1", "33"]. */
function codesBefore(frame: string, text: string, after = ''): string[] {
  const from = after ? frame.indexOf(after) : 0;
  expect(from).toBeGreaterThanOrEqual(0);
  let at = frame.indexOf(text, from + after.length);
  // Skip matches inside an escape sequence ("2" in ESC[22m).
  while (
    at >= 0 &&
    /\[[0-9;]*$/.test(frame.slice(Math.max(0, at - 8), at)) &&
    frame.lastIndexOf(ESC, at) > at - 8
  ) {
    at = frame.indexOf(text, at + 1);
  }
  expect(at).toBeGreaterThanOrEqual(0);
  // Walk back over the escape sequences directly in front of the text.
  const codes: string[] = [];
  for (;;) {
    const start = frame.lastIndexOf(ESC, at - 1);
    if (start < 0) break;
    const match = SGR.exec(frame.slice(start, at));
    if (!match || match[0].length !== at - start) break;
    codes.unshift(...(match[1] ?? '').split(';'));
    at = start;
  }
  return codes;
}

/** The foreground colour set right before `text` ("33" yellow, "31" red, "32" green), if any. */
function colourOf(frame: string, text: string, after = ''): string | undefined {
  return codesBefore(frame, text, after)
    .filter((c) => /^(3[0-79]|9[0-7])$/.test(c))
    .at(-1);
}

describe('dashboard panels against a fixed snapshot', () => {
  it.each([
    [80, 24],
    [120, 40],
    [200, 60],
  ])('fits a %i×%i terminal: at most rows − 1 lines, none wider than columns − 1', (columns, rows) => {
    const { lines } = view(SNAPSHOT, columns, rows);
    expect(lines.length).toBeLessThanOrEqual(rows - 1);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(columns - 1);
  });

  it('shows every panel with its values in 80×24', () => {
    const { text } = view(SNAPSHOT, 80, 24);
    // header: mode, clock in Nepal time, verdict, data age
    expect(text).toContain('brewline demo');
    expect(text).toContain('sim clock 2026-11-26 09:15:00 NPT');
    expect(text).toContain(' WARN ');
    expect(text).toContain('updated 1s ago');
    // revenue by branch: top bars, whole rupees at this width, share, exact total
    expect(text).toMatch(/Jhamsikhel\s+█+\s+123,456\s+31\.2%/);
    expect(text).toContain('Σ NPR 395,186.48 · 13,553 orders');
    // product popularity: quantity, revenue, orders
    expect(text).toMatch(/Americano\s+2,345\s+433,825\s+1,999/);
    // hourly chart: local-hour labels
    expect(text).toMatch(/07\s+08\s+09/);
    // stream health: per-partition lag in offsets and seconds, watermark gap, drops, quarantine
    expect(text).toContain('partition 2 lag 4,500 · 3.4s▲ WARN');
    expect(text).toContain('watermark 07:15 NPT behind 2h00m');
    expect(text).toContain('dropped 7');
    expect(text).toContain('quarantined 12');
    // load generator: target vs actual, latency, errors, faults
    expect(text).toContain('target 800/s actual 790/s');
    expect(text).toContain('p99 1.3ms');
    expect(text).toContain('errors 2');
    expect(text).toContain('faults 45');
    // No cryptic abbreviations at this size
    for (const cryptic of [
      /\bwm\b/,
      /\bquar\b/,
      /\bflight\b(?<!in flight)/,
      /\bmalf\b/,
      /\binv\b/,
      /\bover\b/,
      /\bp0 /,
      /\bproc\b/,
      /\bv\.late\b/,
    ]) {
      expect(text).not.toMatch(cryptic);
    }
  });

  it('shows the key-hint bar at the bottom at every size, and says when the shops are closed', () => {
    for (const [columns, rows] of [
      [80, 24],
      [120, 40],
      [60, 17],
    ] as const) {
      const { text } = view(SNAPSHOT, columns, rows);
      const lines = text.replace(/\n$/, '').split('\n');
      expect(lines.at(-1), `${columns}×${rows}`).toMatch(/^ q {2}quit {3}\? {2}help {3}p {2}pause/);
    }
    const night = view({ ...SNAPSHOT, load: { ...SNAPSHOT.load!, targetRate: 0 } }, 120, 40).text;
    expect(night).toContain('(night: shops closed)');
    expect(night).toContain('shops closed: simulated night');
  });

  it('shows exact amounts and more rows in 120×40', () => {
    const { text } = view(SNAPSHOT, 120, 40);
    expect(text).toMatch(/Jhamsikhel\s+█+\s+123,456\.78\s+31\.2%/);
    expect(text).toContain('Bhaktapur');
    expect(text).toContain('Blueberry Muffin');
    expect(text).toContain('orders  ');
    expect(text).toContain('latest 09:00 NPR 10,000.00, 296 orders');
    expect(text).toContain('processed 25k/s');
    expect(text).toContain('progress 400ms ago');
  });

  it('colours thresholds: verdict not OK, rising lag, drops and errors', () => {
    const { frame } = view(SNAPSHOT, 120, 40);
    expect(colourOf(frame, ' WARN ')).toBe('33');
    expect(colourOf(frame, '▲', '3.4s')).toBe('33');
    expect(colourOf(frame, '7', 'dropped ')).toBe('33');
    expect(colourOf(frame, '12', 'quarantined ')).toBe('33');
    expect(colourOf(frame, '2', 'errors ')).toBe('31');
    // A zero is not flagged
    const calm = view({ ...SNAPSHOT, load: { ...SNAPSHOT.load!, errors: 0 } }, 120, 40);
    expect(colourOf(calm.frame, '0', 'errors ')).toBeUndefined();
    const ok = view({ ...SNAPSHOT, stream: { ...SNAPSHOT.stream!, verdict: 'OK', reason: '' } }, 120, 40);
    expect(colourOf(ok.frame, ' OK ')).toBe('32');
    const stop = view(
      {
        ...SNAPSHOT,
        stream: {
          ...SNAPSHOT.stream!,
          verdict: 'STOP',
          reason: 'partition 1: no progress for 30s with lag 9',
        },
      },
      120,
      40,
    );
    expect(colourOf(stop.frame, ' STOP ')).toBe('31');
    expect(stop.text).toContain('partition 1: no progress for 30s with lag 9');
  });

  it('uses no colour at all under NO_COLOR, and still marks the verdict', () => {
    const { frame, text } = view(SNAPSHOT, 120, 40, initialDashboardState, plain);
    expect(frame).not.toMatch(new RegExp(`${ESC}\\[(?:[0-9;]*;)?(3[0-79]|9[0-7]|38;[0-9;]+)m`));
    expect(text).toContain(' WARN ');
  });

  it('lists every key in the help overlay', () => {
    const { text, lines } = view(SNAPSHOT, 80, 24, { ...initialDashboardState, help: true });
    for (const key of KEY_HELP) {
      expect(text).toContain(key.keys);
      expect(text).toContain(key.does.slice(0, 40));
    }
    expect(lines.length).toBeLessThanOrEqual(23);
  });

  it('shows the branch picker with the cursor and the current filter', () => {
    const { frame, text } = view(SNAPSHOT, 80, 24, {
      ...initialDashboardState,
      picker: { open: true, cursor: 2 },
    });
    expect(text).toContain('● All branches');
    expect(text).toContain('Durbar Marg');
    // The cursor is drawn inverse (SGR 7) on the third choice, and only there
    expect(codesBefore(frame, '  Durbar Marg')).toContain('7');
    expect(codesBefore(frame, '  Bhaktapur')).not.toContain('7');
    void text;
  });

  it('expands a focused panel to the whole body', () => {
    const { text, lines } = view(SNAPSHOT, 80, 24, { ...initialDashboardState, focus: 'branches' });
    expect(text).toContain('Bhaktapur');
    expect(text).not.toContain('Product popularity');
    expect(lines.length).toBe(23);
  });

  it('shows a filtered branch with its share of the chain', () => {
    const gold = {
      ...SNAPSHOT.gold!,
      branch: 'Thamel',
      branches: [SNAPSHOT.gold!.branches[3]!],
      totals: { revenue: 5_432_100, orders: 1_987, items: 4_321 },
    };
    const { text } = view({ ...SNAPSHOT, branch: 'Thamel', gold }, 120, 40);
    expect(text).toContain('branch: Thamel');
    expect(text).toContain('13.7% of chain');
  });

  it('says so when the terminal is too small', () => {
    const { text, lines } = view(SNAPSHOT, 50, 10);
    expect(text).toContain('too small');
    expect(lines.length).toBeLessThanOrEqual(9);
  });

  it('shows waiting states before the first data', () => {
    const empty: MonitorSnapshot = {
      ...SNAPSHOT,
      stream: undefined,
      load: undefined,
      gold: undefined,
      updatedAtMs: undefined,
      clockMs: undefined,
      clockKind: 'none',
    };
    const { text } = view(empty, 80, 24);
    expect(text).toContain('waiting for gold…');
    expect(text).toContain('waiting for the engine…');
    expect(text).toContain('updated never');
  });
});

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await tick();
}

describe('the live dashboard', () => {
  it('renders store updates and runs the keys: ? help, p pause, b choose a branch, tab focus', async () => {
    const store = new PushStore();
    const controls = {
      setPaused: vi.fn((paused: boolean) => store.push({ paused })),
      setRefreshMs: vi.fn(),
      setBranch: vi.fn((branch: string | null) => store.push({ branch })),
    };
    rendered = renderAt(<Dashboard store={store} controls={controls} theme={colour} />, 80, 24);
    await settle();
    expect(stripAnsi(rendered.lastFrame())).toContain('Jhamsikhel');

    store.push({ refreshMs: 5000 });
    await settle();
    expect(stripAnsi(rendered.lastFrame())).toContain('refresh 5.0s');

    rendered.stdin.write('?');
    await settle();
    expect(stripAnsi(rendered.lastFrame())).toContain('show / hide this help');
    rendered.stdin.write('?');
    await settle();
    expect(stripAnsi(rendered.lastFrame())).not.toContain('show / hide this help');

    rendered.stdin.write('p');
    await settle();
    expect(controls.setPaused).toHaveBeenCalledWith(true);
    expect(stripAnsi(rendered.lastFrame())).toContain('PAUSED');

    rendered.stdin.write('+');
    await settle();
    expect(controls.setRefreshMs).toHaveBeenCalledWith(2000);

    rendered.stdin.write('b');
    await settle();
    expect(stripAnsi(rendered.lastFrame())).toContain('● All branches');
    rendered.stdin.write('j');
    await settle();
    rendered.stdin.write('\r');
    await settle();
    // Choices are "All branches" then the names alphabetically: Bhaktapur is the first branch.
    expect(controls.setBranch).toHaveBeenCalledWith('Bhaktapur');
    expect(stripAnsi(rendered.lastFrame())).toContain('branch: Bhaktapur');

    rendered.stdin.write('\t');
    await settle();
    expect(stripAnsi(rendered.lastFrame())).toContain('1 Revenue by branch');
    expect(stripAnsi(rendered.lastFrame())).not.toContain('5 Load generator');
  });
});
