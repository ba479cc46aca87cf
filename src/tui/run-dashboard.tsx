import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { render } from 'ink';
import type { MonitorStore } from '../monitor/monitor-snapshot.js';
import { Dashboard } from './dashboard.js';
import type { Theme } from './theme.js';
import type { MonitorControls } from './use-dashboard.js';

export interface DashboardHandle {
  /** Resolves when the user quits (q, ctrl+c) or `close()` is called. */
  readonly done: Promise<void>;
  close(): void;
}

/** Mounts the Ink dashboard on the terminal. The caller owns the model and stops it after `done`. */
export function runDashboard(model: MonitorStore & MonitorControls, theme: Theme): DashboardHandle {
  const restore = enterAlternateScreen(process.stdout);
  const instance = render(<Dashboard store={model} controls={model} theme={theme} />, {
    exitOnCtrlC: true,
    // Ink 6.8's incremental mode drew frames one line off under tmux; whole frames at ~1/s are cheap enough.
    incrementalRendering: false,
    maxFps: 10,
  });
  const stopCollecting = collectGarbagePeriodically();
  const done = instance
    .waitUntilExit()
    .then(() => undefined)
    .finally(() => {
      stopCollecting();
      restore();
    });
  return {
    done,
    close: () => {
      instance.unmount();
    },
  };
}

const GC_INTERVAL_MS = 10_000;

/**
 * Ink builds a grid of styled characters for every frame. In a process whose engine also allocates
 * heavily, V8 lets that short-lived garbage grow the old space for minutes (measured: heap 130 MB after
 * 30 s, 38 MB of it live), which shows as RSS. A full collection every 10 s costs a few ms and keeps the
 * dashboard's memory flat (`npm run bench:tui`). Returns the stopper.
 */
function collectGarbagePeriodically(): () => void {
  let gc: (() => void) | undefined;
  try {
    setFlagsFromString('--expose-gc');
    gc = runInNewContext('gc') as () => void;
  } catch {
    return () => undefined;
  }
  const timer = setInterval(() => gc?.(), GC_INTERVAL_MS);
  timer.unref();
  return () => clearInterval(timer);
}

const ENTER_ALTERNATE = '\x1b[?1049h\x1b[H';
const LEAVE_ALTERNATE = '\x1b[?1049l';

/**
 * Draws on the terminal's alternate screen (as less, vim and k9s do), so quitting gives back the shell
 * exactly as it was instead of a stale last frame. Also restored if the process exits some other way.
 * Returns the restorer (idempotent).
 */
export function enterAlternateScreen(stream: NodeJS.WriteStream): () => void {
  if (!stream.isTTY) return () => undefined;
  stream.write(ENTER_ALTERNATE);
  let left = false;
  const leave = (): void => {
    if (left) return;
    left = true;
    process.off('exit', leave);
    stream.write(LEAVE_ALTERNATE);
  };
  process.on('exit', leave);
  return leave;
}
