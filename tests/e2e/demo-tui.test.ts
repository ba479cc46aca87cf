import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, removeTempDir, tempDir, waitFor } from '../helpers/cli.js';

/**
 * The real `brewline demo` in a real terminal: tmux (private socket) at 120×40, reading the screen the way
 * a person would, pressing the documented keys, and quitting.
 */
const SOCKET = `brewline-demo-e2e-${process.pid}`;
const SESSION = 'demo';
let dir: string;

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

const screen = (): string => tmux('capture-pane', '-p', '-t', SESSION);

/** How long a key press may take to show on screen: a ceiling for a loaded machine, not an expectation. */
const SCREEN_WAIT_MS = 30_000;

/** Polls the screen until `predicate` holds (bounded), returning the screen it saw. */
async function waitForScreen(
  predicate: (text: string) => boolean,
  timeoutMs: number,
  what: string,
  grab: () => string = screen,
): Promise<string> {
  let last = '';
  return waitFor(
    () => {
      last = grab();
      return predicate(last) && last;
    },
    { timeoutMs, what, intervalMs: 200, detail: () => `screen was:\n${last}` },
  );
}

/** Waits (bounded) for the exit code a tmux session's command writes to `file` when the demo ends. */
async function exitCode(file: string): Promise<string> {
  await waitFor(() => existsSync(file), {
    timeoutMs: 20_000,
    intervalMs: 200,
    what: `${file} to be written`,
  });
  return readFileSync(file, 'utf8').trim();
}

function press(key: string, literal = true): void {
  tmux('send-keys', '-t', SESSION, ...(literal ? ['-l', key] : [key]));
}

const clockOf = (text: string): string | undefined => /sim clock (\S+ \S+) NPT/.exec(text)?.[1];

beforeAll(() => {
  ensureBuilt();
  dir = tempDir('demo-tui');
  // `CI` makes Ink print only the final frame; a person's terminal does not have it.
  const command = `env -u CI -u NO_COLOR node ${BIN} demo --seed 5; echo $? > ${join(dir, 'exit-code')}; sleep 600`;
  tmux('new-session', '-d', '-s', SESSION, '-x', '120', '-y', '40', '-c', dir, command);
});

afterAll(() => {
  spawnSync('tmux', ['-L', SOCKET, 'kill-server'], { stdio: 'ignore' });
  removeTempDir(dir);
});

describe('brewline demo in a 120×40 terminal', () => {
  it('fills every panel (about 10 s when idle), obeys ? p b q, and exits cleanly', async () => {
    // Then every panel shows data (a condition wait: a loaded machine may take longer than the idle 10 s)
    const first = await waitForScreen(
      (s) =>
        /Σ NPR [\d,]+\.\d\d · [\d,]+ orders/.test(s) &&
        /item\s+qty\s+revenue\s+orders/.test(s) &&
        /\s07\s+08/.test(s) &&
        /engine (running|idle) · batch #\d+/.test(s) &&
        /partition 0 lag [\d,]+/.test(s) &&
        /target [\d.,k]+\/s actual/.test(s),
      SCREEN_WAIT_MS,
      'all panels to fill',
    );
    expect(first).toContain('brewline demo');
    expect(first).toMatch(/sim clock 2026-01-01 \d\d:\d\d:\d\d NPT/);
    expect(first).toMatch(/updated \ds ago/);
    // Nothing scrolled: the header is still the top line, and nothing is wider than the terminal.
    const lines = first.replace(/\n$/, '').split('\n');
    expect(lines.length).toBeLessThanOrEqual(40);
    expect(lines[0]).toMatch(/^brewline demo/);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(120);
    // The key-hint bar is the last line
    expect(lines.filter((l) => l.trim() !== '').at(-1)).toMatch(/q {2}quit {3}\? {2}help {3}p {2}pause/);

    // When ? is pressed, the help overlay lists the keys; ? again closes it
    press('?');
    await waitForScreen(
      (s) => s.includes('show / hide this help') && s.includes('choose a branch filter'),
      SCREEN_WAIT_MS,
      'help',
    );
    press('?');
    await waitForScreen(
      (s) => !s.includes('show / hide this help') && s.includes('Revenue by branch'),
      SCREEN_WAIT_MS,
      'help to close',
    );

    // When p is pressed, the display freezes: PAUSED, and the clock stops moving
    press('p');
    const paused = await waitForScreen((s) => s.includes('PAUSED'), SCREEN_WAIT_MS, 'PAUSED');
    await new Promise((r) => setTimeout(r, 2500));
    const stillPaused = screen();
    expect(clockOf(stillPaused)).toBe(clockOf(paused));
    expect(stillPaused).toMatch(/updated [2-9]s ago/);
    // And p again resumes
    press('p');
    await waitForScreen(
      (s) => !s.includes('PAUSED') && clockOf(s) !== clockOf(paused),
      SCREEN_WAIT_MS,
      'resume',
    );

    // When b is pressed, a branch picker opens; j moves to the first branch and enter applies it everywhere
    press('b');
    const picker = await waitForScreen((s) => s.includes('● All branches'), SCREEN_WAIT_MS, 'branch picker');
    // The first column reads down: "All branches", then the branches in alphabetical order.
    const pickerLines = picker.split('\n');
    const allAt = pickerLines.findIndex((l) => l.includes('● All branches'));
    const firstBranch = /^│ {2}(\S.*?)(\s{2,}|…)/.exec(pickerLines[allAt + 1] ?? '')?.[1];
    expect(firstBranch).toBeTruthy();
    press('j');
    await new Promise((r) => setTimeout(r, 300));
    press('Enter', false);
    const filtered = await waitForScreen(
      (s) => s.includes(`branch: ${firstBranch}`) && s.includes('of chain'),
      SCREEN_WAIT_MS,
      'the branch filter',
    );
    expect(filtered).toContain(`1 Revenue by branch  ${firstBranch}, all windows`);
    expect(filtered).toContain(`3 Hourly sales  ${firstBranch}`);

    // When q is pressed, the demo stops everything and exits 0
    press('q');
    expect(await exitCode(join(dir, 'exit-code'))).toBe('0');
    // Back on the normal screen: no stale dashboard frame, only the summary
    const after = screen();
    expect(after).toContain('brewline demo: lakehouse .brewline/demo.duckdb');
    expect(after).not.toContain('5 Load generator');
  });

  it('drills down at 80×24: an expanded panel scrolls, sorts, reverses and searches every branch', async () => {
    const drill = 'drill';
    const drillDir = join(dir, 'drill');
    const command = `mkdir -p ${drillDir} && cd ${drillDir} && env -u CI node ${BIN} demo --seed 7; echo $? > exit-code; sleep 600`;
    tmux('new-session', '-d', '-s', drill, '-x', '80', '-y', '24', command);
    const grab = (): string => tmux('capture-pane', '-p', '-t', drill);
    const key = (k: string, literal = true): void => {
      tmux('send-keys', '-t', drill, ...(literal ? ['-l', k] : [k]));
    };
    const until = (predicate: (s: string) => boolean, what: string): Promise<string> =>
      waitForScreen(predicate, SCREEN_WAIT_MS, what, grab);
    // Given the dashboard with every branch selling
    await until((s) => /Σ NPR/.test(s) && /partition \d+ lag/.test(s), 'the panels to fill');
    // When 1 expands the branch panel: a table of every branch, sorted by revenue, top rows first
    key('1');
    // (the table lists the branches that have sold so far: wait until most of the chain has)
    const expanded = await until((s) => {
      const m = /1–\d+ of (\d+) · sort revenue NPR ▼/.exec(s);
      return m !== null && Number(m[1]) > 20;
    }, 'the expanded table with more than 20 branches');
    const total = Number(/1–\d+ of (\d+) · sort/.exec(expanded)![1]);
    expect(total).toBeGreaterThan(20);
    expect(expanded).toMatch(/branch\s+revenue NPR ▼/);
    for (const line of expanded.replace(/\n$/, '').split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    // G scrolls to the last rows, g back to the first
    key('G');
    // (more branches may have made their first sale meanwhile: the count is read again)
    await until((s) => {
      const m = /(\d+)–(\d+) of (\d+) · sort/.exec(s);
      return m !== null && Number(m[1]) > 1 && m[2] === m[3];
    }, 'the last rows');
    key('g');
    await until((s) => /1–\d+ of \d+ · sort/.test(s), 'the first rows');
    // s sorts on the next column, r reverses it
    key('s');
    await until((s) => /sort share ▼/.test(s), 'the sort on share');
    key('r');
    await until((s) => /sort share ▲/.test(s), 'the reversed sort');
    // / searches: only the matching branches stay, out of all of them
    key('/');
    await until((s) => s.includes('/▏'), 'the search prompt');
    key('air');
    await until((s) => s.includes('/air▏'), 'the typed filter');
    key('Enter', false);
    const searched = await until(
      (s) => s.includes('filter “air”') && /of \d+ \(\d+ in all\)/.test(s),
      'the search',
    );
    expect(Number(/\((\d+) in all\)/.exec(searched)![1])).toBeGreaterThanOrEqual(total);
    expect(searched).toMatch(/Airport/);
    expect(searched).toContain('filter “air”');
    // Escape clears the filter, a second Escape goes back to the dashboard; q quits with exit 0
    // (each Escape waits for the screen: two sent at once reach the app in one read, "\x1b\x1b",
    // which Ink reports as a single Meta+Escape, as a terminal would for Alt+Escape)
    key('Escape', false);
    await until((s) => !s.includes('filter “air”') && /1–\d+ of \d+ · sort/.test(s), 'the filter cleared');
    key('Escape', false);
    await until((s) => s.includes('5 Load generator'), 'the dashboard');
    key('q');
    expect(await exitCode(join(drillDir, 'exit-code'))).toBe('0');
  });

  it('fits 80×24 without overflowing, and quits on q', async () => {
    const small = 'small';
    const smallDir = join(dir, 'small');
    const command = `mkdir -p ${smallDir} && cd ${smallDir} && env -u CI node ${BIN} demo; echo $? > exit-code; sleep 600`;
    tmux('new-session', '-d', '-s', small, '-x', '80', '-y', '24', command);
    const grab = (): string => tmux('capture-pane', '-p', '-t', small);
    const text = await waitForScreen(
      (s) => /Σ NPR/.test(s) && /partition \d+ lag [\d,]+/.test(s) && /target/.test(s),
      SCREEN_WAIT_MS,
      'the panels to fill',
      grab,
    );
    const lines = text.replace(/\n$/, '').split('\n');
    expect(lines[0]).toMatch(/^brewline demo/);
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.filter((l) => l.trim() !== '').at(-1)).toMatch(/q {2}quit {3}\? {2}help/);
    // Every panel's title is on screen
    for (const title of [
      '1 Revenue by branch',
      '2 Product popularity',
      '3 Hourly sales',
      '4 Stream health',
      '5 Load generator',
    ]) {
      expect(text).toContain(title);
    }
    tmux('send-keys', '-t', small, '-l', 'q');
    expect(await exitCode(join(smallDir, 'exit-code'))).toBe('0');
  });
});
