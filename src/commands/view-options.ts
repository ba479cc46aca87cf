import { parseDuration } from '../domain/time.js';
import { ConfigError } from '../errors.js';
import type { HeadlessFormat } from '../monitor/headless-reporter.js';
import type { MonitorModel } from '../monitor/monitor-model.js';

/** How `demo` and `monitor` show the model: the Ink dashboard, or headless lines for logs and pipes. */
export type ViewFormat = HeadlessFormat | 'tui';

/** Reads `--plain`/`--json`/`--duration`: the dashboard only on a terminal, wall-clock run time. */
export function viewOptions(opts: { duration?: string; plain?: boolean; json?: boolean }): {
  format: ViewFormat;
  wallMs: number | undefined;
} {
  if (opts.plain && opts.json) {
    throw new ConfigError('--plain and --json cannot be combined', { hint: 'pick one headless format' });
  }
  let wallMs: number | undefined;
  if (opts.duration !== undefined) {
    wallMs = parseDuration(opts.duration.trim());
    if (wallMs === undefined || wallMs <= 0) {
      throw new ConfigError(
        `--duration: expected a real-time span like 30s or 2m, got ${JSON.stringify(opts.duration)}`,
        { hint: 'e.g. --duration 30s' },
      );
    }
  }
  const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
  const format: ViewFormat = opts.json ? 'json' : opts.plain || !tty ? 'plain' : 'tui';
  return { format, wallMs };
}

/** Shows the Ink dashboard until `finished` resolves or the user quits it (which calls `finish`). */
export async function showDashboard(
  model: MonitorModel,
  finished: Promise<void>,
  finish: () => void,
): Promise<void> {
  // Ink and React load only for a terminal dashboard (yoga's WebAssembly start-up is not free). React's
  // development build keeps debugging data for every render: a third more memory here.
  process.env['NODE_ENV'] ??= 'production';
  const { runDashboard } = await import('../tui/run-dashboard.js');
  const { themeFromEnv } = await import('../tui/theme.js');
  const dashboard = runDashboard(model, themeFromEnv());
  void dashboard.done.then(finish);
  await finished;
  dashboard.close();
  await dashboard.done;
}

/** What ends a view: Ctrl+C / SIGTERM / SIGHUP, `--duration`, or whoever calls `finish` (quitting the dashboard). */
export interface RunEnd {
  finished: Promise<void>;
  finish: () => void;
  /** Removes the signal handlers and the timer. */
  dispose: () => void;
}

export function untilStopped(wallMs: number | undefined): RunEnd {
  let finish!: () => void;
  const finished = new Promise<void>((resolve) => (finish = resolve));
  const onSignal = (): void => finish();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // A closed terminal: stop as on Ctrl+C (children such as the demo's broker are stopped, not orphaned).
  process.on('SIGHUP', onSignal);
  const timer = wallMs === undefined ? undefined : setTimeout(finish, wallMs);
  return {
    finished,
    finish,
    dispose: () => {
      if (timer) clearTimeout(timer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.off('SIGHUP', onSignal);
    },
  };
}
