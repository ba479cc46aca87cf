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
  const instance = render(<Dashboard store={model} controls={model} theme={theme} />, {
    exitOnCtrlC: true,
    // Only changed lines are rewritten: less output, no flicker on a once-a-second refresh.
    incrementalRendering: false,
    maxFps: 10,
  });
  const done = instance.waitUntilExit().then(() => undefined);
  return {
    done,
    close: () => {
      instance.unmount();
    },
  };
}
