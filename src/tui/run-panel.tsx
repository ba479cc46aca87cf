import { render, useApp, useInput, useStdout } from 'ink';
import { useSyncExternalStore } from 'react';
import type { RunFollower } from '../backends/databricks/run-follower.js';
import { LineText } from './panel-frame.js';
import { runPanelLines } from './run-panel-lines.js';
import type { Theme } from './theme.js';

function RunPanel({ follower, theme, onQuit }: { follower: RunFollower; theme: Theme; onQuit: () => void }) {
  const snapshot = useSyncExternalStore(
    (listener) => follower.subscribe(listener),
    () => follower.getSnapshot(),
  );
  const { stdout } = useStdout();
  const { exit } = useApp();
  useInput((input, key) => {
    if (input === 'q' || (key.ctrl && input === 'c')) {
      onQuit();
      exit();
    }
  });
  const width = Math.max(40, Math.min(stdout.columns || 100, 120));
  return (
    <>
      {runPanelLines(snapshot, width, Date.now()).map((line, i) => (
        <LineText key={i} line={line} theme={theme} />
      ))}
    </>
  );
}

/** Mounts the run panel; `close()` unmounts it (the last frame stays on the terminal). */
export function showRunPanel(
  follower: RunFollower,
  theme: Theme,
  onQuit: () => void,
): { close(): void; done: Promise<void> } {
  const instance = render(<RunPanel follower={follower} theme={theme} onQuit={onQuit} />, {
    exitOnCtrlC: false,
    incrementalRendering: false,
    maxFps: 5,
  });
  return {
    done: instance.waitUntilExit().then(() => undefined),
    close: () => instance.unmount(),
  };
}
