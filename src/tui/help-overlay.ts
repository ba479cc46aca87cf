import { KEY_HELP } from './use-dashboard.js';
import { PANELS, PANEL_TITLES } from './use-dashboard-state.js';
import { flow, padEnd, span, type Line } from './spans.js';

/** The `?` overlay: every key and what it does, then the panel numbers and the colour legend. */
export function helpLines(width: number, height: number): Line[] {
  const keyWidth = Math.max(...KEY_HELP.map((k) => k.keys.length)) + 2;
  const lines: Line[] = KEY_HELP.map((k) => [
    span(padEnd(k.keys, keyWidth), 'accent', { bold: true }),
    span(k.does),
  ]);
  lines.push([]);
  lines.push(
    ...flow(
      [
        [span('panels', undefined, { dim: true })],
        ...PANELS.map((p, i) => [span(`${i + 1} ${PANEL_TITLES[p]}`)]),
      ],
      width,
      ' · ',
    ),
  );
  lines.push(
    ...flow(
      [
        [span('verdicts', undefined, { dim: true })],
        [span('OK', 'ok'), span(' caught up')],
        [span('WARN', 'warn'), span(' lag never fell')],
        [span('STALL', 'bad'), span(' offset stuck')],
        [span('STOP', 'bad'), span(' no progress')],
        [span('REWIND', 'bad'), span(' offset went back')],
      ],
      width,
      '  ',
    ),
  );
  lines.push(
    ...flow(
      [
        [span('▲ lag rising', 'warn')],
        [span('yellow: drops, quarantine, a slow rate', undefined, { dim: true })],
        [span('red: errors and bad verdicts', undefined, { dim: true })],
      ],
      width,
      ' · ',
    ),
  );
  return lines.slice(0, Math.max(0, height));
}
