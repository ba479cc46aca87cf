import { formatAgo, formatClock, formatDuration } from '../monitor/display-format.js';
import type { MonitorSnapshot } from '../monitor/monitor-snapshot.js';
import { fitGroups, fitLine, span, type Line, type Span } from './spans.js';
import { verdictTone } from './theme.js';

/**
 * Two header lines: what runs (mode, source → sink, filter, pause), then the clock in Nepal time, the
 * health verdict, data age and refresh interval.
 */
export function headerLines(s: MonitorSnapshot, width: number): Line[] {
  const first: Span[][] = [
    [span('brewline ', 'accent', { bold: true }), span(s.mode, 'accent', { bold: true })],
  ];
  if (s.branch !== null) first.push([span('  '), span(` branch: ${s.branch} `, 'accent', { inverse: true })]);
  if (s.paused) first.push([span('  '), span(' PAUSED ', 'warn', { inverse: true, bold: true })]);
  if (s.source || s.sink) first.push([span(`  ${s.source || '?'} → ${s.sink || '?'}`)]);
  if (s.mode === 'monitor') first.push([span(`  via ${s.feed}`, undefined, { dim: true })]);

  const verdict = s.stream?.verdict;
  const clockLabel =
    s.clockKind === 'simulated' ? 'sim clock ' : s.clockKind === 'event-time' ? 'event time ' : 'clock ';
  const stale = s.updatedAtMs !== undefined && s.nowMs - s.updatedAtMs > 3 * s.refreshMs + 2000;
  const second: Span[][] = [
    [
      span(clockLabel, undefined, { dim: true }),
      span(formatClock(s.clockMs), undefined, { bold: true }),
      span(s.load?.targetRate === 0 && s.load.status === 'running' ? ' (night: shops closed)' : '', 'accent'),
    ],
    [
      span('  '),
      span(
        ` ${verdict ?? '…'}${s.liveness === 'live' ? '' : ` ${formatAgo(s.nowMs, s.updatedAtMs)}`} `,
        verdictTone(verdict),
        {
          inverse: verdict !== undefined,
          bold: true,
        },
      ),
    ],
    [
      span('  updated ', undefined, { dim: true }),
      span(formatAgo(s.nowMs, s.updatedAtMs), stale ? 'warn' : undefined, { bold: stale }),
    ],
  ];
  if (s.error) second.push([span('  '), span(`! ${s.error}`, 'bad')]);
  second.push([span('  refresh ', undefined, { dim: true }), span(formatDuration(s.refreshMs))]);
  return [fitLine(fitGroups(first, width), width), fitLine(fitGroups(second, width), width)];
}

/** The key-hint bar (k9s-style): what the keys do here, the most useful first, cut to the width. */
export function keyHintLine(
  s: MonitorSnapshot,
  ui: {
    focus: unknown;
    help: boolean;
    picker: { open: boolean };
    searching?: boolean | undefined;
    table?: { filter: string } | undefined;
    pickerFilter?: string | undefined;
  },
  width: number,
  table = false,
): Line {
  const hints: [string, string][] = ui.searching
    ? [
        ['type', 'filter'],
        ['enter', 'keep'],
        ['esc', 'clear'],
        ['⌫', 'delete'],
        ...(ui.picker.open ? ([['↑↓', 'move']] as [string, string][]) : []),
      ]
    : ui.picker.open
      ? [
          ['↑↓/jk', 'move'],
          ['enter', 'apply'],
          ['/', 'search'],
          ['esc', 'cancel'],
          ['q', 'quit'],
        ]
      : ui.help
        ? [
            ['esc/?', 'close help'],
            ['q', 'quit'],
          ]
        : table && ui.focus !== null
          ? [
              ['↑↓/jk', 'scroll'],
              ['pgup/pgdn', 'page'],
              ['s', 'sort'],
              ['S/r', 'reverse'],
              ['/', 'search'],
              ['esc', ui.table?.filter ? 'clear filter' : 'all panels'],
              ['q', 'quit'],
              ['tab/1-5', 'panel'],
              ['?', 'help'],
              ['b', 'branch'],
            ]
          : [
              ['q', 'quit'],
              ['?', 'help'],
              ['p', s.paused ? 'resume' : 'pause'],
              ...(ui.focus === null
                ? ([['tab/1-5', 'expand panel']] as [string, string][])
                : ([['esc', 'all panels']] as [string, string][])),
              ['b', 'branch'],
              ['+/-', 'refresh'],
            ];
  const groups: Span[][] = hints.map(([key, what], i) => [
    span(i === 0 ? '' : '  '),
    span(` ${key} `, 'accent', { inverse: true }),
    span(` ${what}`, undefined, { dim: true }),
  ]);
  return fitLine(fitGroups(groups, width), width);
}
