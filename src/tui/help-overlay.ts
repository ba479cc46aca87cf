import { KEY_HELP } from './use-dashboard.js';
import { PANELS, PANEL_TITLES } from './use-dashboard-state.js';
import { padEnd, span, type Line } from './spans.js';

/** The `?` overlay: every key and what it does, then the panel numbers and the colour legend. */
export function helpLines(width: number, height: number): Line[] {
  const keyWidth = Math.max(...KEY_HELP.map((k) => k.keys.length)) + 2;
  const lines: Line[] = KEY_HELP.map((k) => [
    span(padEnd(k.keys, keyWidth), 'accent', { bold: true }),
    span(k.does),
  ]);
  lines.push([]);
  lines.push([
    span('panels ', undefined, { dim: true }),
    span(PANELS.map((p, i) => `${i + 1} ${PANEL_TITLES[p]}`).join(' · ')),
  ]);
  lines.push([
    span('verdicts ', undefined, { dim: true }),
    span('OK', 'ok'),
    span(' caught up · '),
    span('WARN', 'warn'),
    span(' lag never fell · '),
    span('STALL', 'bad'),
    span(' offset stuck · '),
    span('STOP', 'bad'),
    span(' no progress · '),
    span('REWIND', 'bad'),
    span(' offset went back'),
  ]);
  lines.push([
    span('▲ lag rising; yellow: drops, quarantine or a slow rate; red: errors and bad verdicts', undefined, {
      dim: true,
    }),
  ]);
  return lines.slice(0, Math.max(0, height)).map((l) => (width > 0 ? l : []));
}
