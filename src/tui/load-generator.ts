import { formatCount, formatLag, formatRate } from '../monitor/display-format.js';
import type { LoadStats, StreamHealth } from '../monitor/monitor-snapshot.js';
import { sparkline } from './sparkline.js';
import { flow, span, type Line } from './spans.js';

/** Full words at every size: an on-call engineer should not have to decode `malf` or `inv`. */
const FAULT_LABELS: Readonly<Record<string, string>> = {
  late: 'late',
  very_late: 'very late',
  duplicate: 'duplicate',
  malformed: 'malformed',
  invalid: 'invalid',
  oversize: 'oversize',
};

const ms = (v: number): string => (v < 10 ? `${v.toFixed(1)}ms` : `${Math.round(v)}ms`);

/** Panel 5: the load generator — target vs actual rate, ack latency p50/p99, errors and faults injected. */
export function loadGeneratorLines(
  load: LoadStats | undefined,
  stream: StreamHealth | undefined,
  width: number,
  height: number,
): Line[] {
  if (height <= 0) return [];
  if (!load) {
    const latest = stream?.partitions.reduce((s, p) => s + p.latest, 0);
    return [
      [span('no load generator in this process', undefined, { dim: true })],
      [span('(monitor attaches to a running pipeline)', undefined, { dim: true })],
      ...(latest === undefined
        ? []
        : [
            [
              span(stream?.offsetUnit === 'bytes' ? 'source size ' : 'records in source ', undefined, {
                dim: true,
              }),
              span(formatLag(latest, stream?.offsetUnit ?? 'records'), undefined, { bold: true }),
            ],
          ]),
    ].slice(0, height);
  }
  const lines: Line[] = [];
  const compact = width < 40;
  const behind = load.targetRate !== null && load.targetRate > 0 && load.actualRate < load.targetRate * 0.8;
  const sparkWidth = Math.max(0, Math.min(24, width - 32));
  lines.push([
    span('target ', undefined, { dim: true }),
    span(load.targetRate === null ? 'max' : formatRate(load.targetRate)),
    span(' actual ', undefined, { dim: true }),
    span(formatRate(load.actualRate), behind ? 'warn' : 'ok', { bold: true }),
    span(' '),
    span(sparkline(load.actualRateHistory, sparkWidth), behind ? 'warn' : 'accent'),
  ]);
  lines.push(
    ...flow(
      [
        [span('sent ', undefined, { dim: true }), span(formatCount(load.acked), undefined, { bold: true })],
        [span('in flight ', undefined, { dim: true }), span(formatCount(load.inFlight))],
        [
          span('rejected ', undefined, { dim: true }),
          span(formatCount(load.rejected), load.rejected > 0 ? 'warn' : undefined),
        ],
        [span(compact ? 'ack p50 ' : 'ack latency p50 ', undefined, { dim: true }), span(ms(load.ackP50Ms))],
        [
          span('p99 ', undefined, { dim: true }),
          span(ms(load.ackP99Ms), load.ackP99Ms > 250 ? 'warn' : undefined),
        ],
        [
          span('errors ', undefined, { dim: true }),
          span(formatCount(load.errors), load.errors > 0 ? 'bad' : undefined, { bold: load.errors > 0 }),
        ],
      ],
      width,
    ),
  );
  const faults: Line[] = [
    [
      span('faults ', undefined, { dim: true }),
      span(formatCount(load.faultsTotal), undefined, { bold: true }),
    ],
  ];
  for (const [kind, n] of Object.entries(load.faults)) {
    faults.push([
      span(`${FAULT_LABELS[kind] ?? kind} `, undefined, { dim: true }),
      span(formatCount(n), n > 0 ? 'warn' : undefined),
    ]);
  }
  lines.push(...flow(faults, width));
  if (load.targetRate === 0 && load.status === 'running') {
    // At demo speed the simulated night passes in seconds: say so, so the screen never looks hung.
    lines.push([span('shops closed: simulated night, orders resume at opening time', 'accent')]);
  }
  if (load.lastError) lines.push([span(`last error: ${load.lastError}`, 'bad')]);
  else
    lines.push([
      span(`simulator ${load.status}`, load.status === 'failed' ? 'bad' : undefined, {
        dim: load.status !== 'failed',
      }),
    ]);
  return lines.slice(0, height);
}
