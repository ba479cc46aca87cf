import type { RunSnapshot, RunTaskView } from '../backends/databricks/run-follower.js';
import { formatDuration } from '../monitor/display-format.js';
import { frameLines } from './panel-frame.js';
import { span, type Line } from './spans.js';
import type { Tone } from './theme.js';

/** The tone of a task or run state: green done, red failed, cyan running, dim waiting. */
export function stateTone(lifeCycle: string, result: string | undefined): Tone | undefined {
  if (result === 'SUCCESS') return 'ok';
  if (result !== undefined && result !== 'SUCCESS_WITH_FAILURES') return 'bad';
  if (lifeCycle === 'RUNNING' || lifeCycle === 'TERMINATING') return 'accent';
  if (lifeCycle === 'INTERNAL_ERROR') return 'bad';
  return undefined;
}

function taskRow(task: RunTaskView, nowMs: number, keyWidth: number): Line {
  const state = task.resultState ?? task.lifeCycleState;
  const tone = stateTone(task.lifeCycleState, task.resultState);
  const elapsed = task.startMs === undefined ? '' : formatDuration((task.endMs ?? nowMs) - task.startMs);
  const after = task.dependsOn.length > 0 ? `← ${task.dependsOn.join(', ')}` : '';
  return [
    span(`${task.taskKey.padEnd(keyWidth)}  `),
    span(state.padEnd(16), tone, { bold: tone === 'bad' }),
    span(`${elapsed.padStart(7)}  `, undefined, { dim: true }),
    span(task.error ? task.error.split('\n')[0]! : after, task.error ? 'bad' : undefined, {
      dim: !task.error,
    }),
  ];
}

/**
 * The run panel as exact lines (pure, so it is tested without a terminal): the run's state in the border,
 * one row per task of the DAG in the job's order, a failed task's error on its row.
 */
export function runPanelLines(snapshot: RunSnapshot | undefined, width: number, nowMs: number): Line[] {
  if (!snapshot) {
    return frameLines({ title: 'Databricks run', width, height: 3 }, [
      [span('starting…', undefined, { dim: true })],
    ]);
  }
  const keyWidth = Math.max(8, ...snapshot.tasks.map((t) => t.taskKey.length));
  const state = snapshot.resultState
    ? `${snapshot.lifeCycleState} ${snapshot.resultState}`
    : snapshot.lifeCycleState;
  const content: Line[] = [
    [
      span(state, stateTone(snapshot.lifeCycleState, snapshot.resultState), { bold: true }),
      span(snapshot.stateMessage ? `  ${snapshot.stateMessage}` : '', undefined, { dim: true }),
    ],
    ...snapshot.tasks.map((t) => taskRow(t, nowMs, keyWidth)),
  ];
  if (snapshot.url) content.push([span(snapshot.url, undefined, { dim: true })]);
  content.push([
    span(snapshot.finished ? 'q to close' : 'q or Ctrl+C: stop following', undefined, { dim: true }),
  ]);
  return frameLines(
    {
      title: `Databricks run ${snapshot.runId}`,
      subtitle: snapshot.runName,
      width,
      height: content.length + 2,
      tone: stateTone(snapshot.lifeCycleState, snapshot.resultState),
    },
    content,
  );
}
