import {
  formatClock,
  formatCount,
  formatDuration,
  formatLag,
  formatRate,
  formatSeconds,
} from '../monitor/display-format.js';
import {
  DEFAULT_THRESHOLDS,
  thresholdLevel,
  VERDICT_SEVERITY,
  type HealthThresholds,
} from '../monitor/health-verdict.js';
import type { PartitionHealth, StreamHealth } from '../monitor/monitor-snapshot.js';
import { sparkline } from './sparkline.js';
import { flow, padEnd, span, type Line } from './spans.js';
import { levelTone, verdictTone } from './theme.js';

/** "partition 2 lag 4,500 rec · 3.4s ▲ WARN": every number named, lag age coloured by its thresholds. */
function partitionCell(
  p: PartitionHealth,
  compact: boolean,
  thresholds: HealthThresholds,
  unit: 'records' | 'bytes',
): Line {
  const age = p.lagSeconds === null ? null : p.lagSeconds * 1000;
  return [
    span(`partition ${p.partition} `, undefined, { dim: true }),
    span(
      `lag ${compact && unit === 'records' ? formatCount(p.lag) : formatLag(p.lag, unit)}`,
      p.rising ? 'warn' : undefined,
    ),
    span(
      p.lag > 0 || !compact ? ` · ${p.lagSeconds === null ? 'age ?' : formatSeconds(p.lagSeconds)}` : '',
      levelTone(thresholdLevel(age, thresholds.lagSeconds), true),
    ),
    span(p.rising ? '▲' : '', 'warn'),
    span(` ${p.verdict}`, verdictTone(p.verdict), { bold: p.verdict !== 'OK' }),
  ];
}

/** Partition cells, the unhealthiest first when they cannot all be shown in `lines` lines. */
function partitionLines(
  partitions: readonly PartitionHealth[],
  width: number,
  lines: number,
  compact: boolean,
  thresholds: HealthThresholds,
  unit: 'records' | 'bytes',
): Line[] {
  if (lines <= 0 || partitions.length === 0) return [];
  let laid = flow(
    partitions.map((p) => partitionCell(p, compact, thresholds, unit)),
    width,
    '  ',
  );
  if (laid.length <= lines) return laid;
  const ranked = [...partitions].sort(
    (a, b) =>
      VERDICT_SEVERITY[b.verdict] - VERDICT_SEVERITY[a.verdict] || b.lag - a.lag || a.partition - b.partition,
  );
  for (let keep = ranked.length - 1; keep >= 0; keep--) {
    const cells = ranked.slice(0, keep).map((p) => partitionCell(p, compact, thresholds, unit));
    cells.push([span(`+${partitions.length - keep} more`, undefined, { dim: true })]);
    laid = flow(cells, width, '  ');
    if (laid.length <= lines) return laid;
  }
  return laid.slice(0, lines);
}

/**
 * Panel 4: Burrow-style verdict, engine progress, input vs processed rate, watermark and its gap to the
 * clock, drops, quarantine, state, and lag per partition (in offsets and seconds). In small panels the
 * labels shorten, and the partitions always keep at least one line.
 */
export function streamHealthLines(
  stream: StreamHealth | undefined,
  width: number,
  height: number,
  thresholds: HealthThresholds = DEFAULT_THRESHOLDS,
): Line[] {
  if (height <= 0) return [];
  if (!stream) return [[span('waiting for the engine…', undefined, { dim: true })]];
  const compact = height < 8 || width < 56;
  const unit = stream.offsetUnit;
  const since = stream.sinceProgressMs;
  const batch: Line = [
    span(
      stream.lastBatchId === null
        ? 'no batch yet'
        : `batch #${stream.lastBatchId} ${formatDuration(stream.batchDurationMs)}`,
    ),
  ];
  const progress: Line = [
    span(compact ? '' : 'progress ', undefined, { dim: true }),
    span(
      since === null ? '–' : `${formatDuration(since)} ago`,
      levelTone(thresholdLevel(since, thresholds.sinceBatch)),
    ),
  ];
  const verdict = span(` ${stream.verdict} `, verdictTone(stream.verdict), { inverse: true, bold: true });
  const engine = span(
    compact ? ` ${stream.engineStatus}` : ` engine ${stream.engineStatus}`,
    stream.engineStatus === 'failed' ? 'bad' : undefined,
  );
  const trouble = stream.error ? `error: ${stream.error}` : stream.verdict !== 'OK' ? stream.reason : '';

  const lines: Line[] = [];
  const facts: Line[] = [];
  if (trouble && compact) {
    lines.push([verdict, span(` ${trouble}`, stream.error ? 'bad' : verdictTone(stream.verdict))]);
  } else {
    lines.push([verdict, engine, span(' · '), ...batch, span(' · '), ...progress]);
    if (trouble) lines.push([span(trouble, stream.error ? 'bad' : verdictTone(stream.verdict))]);
  }

  const sparkWidth = Math.max(0, Math.min(24, Math.floor((width - (compact ? 26 : 30)) / 2)));
  const slower =
    stream.processedRate !== null && stream.inputRate !== null && stream.processedRate < stream.inputRate;
  lines.push([
    span('in ', undefined, { dim: true }),
    span(padEnd(formatRate(stream.inputRate), 8), undefined, { bold: true }),
    span(padEnd(sparkline(stream.inputRateHistory, sparkWidth), sparkWidth + 1), 'accent'),
    span('processed ', undefined, { dim: true }),
    span(padEnd(formatRate(stream.processedRate), 8), slower ? 'warn' : undefined, { bold: true }),
    span(sparkline(stream.processedRateHistory, sparkWidth), slower ? 'warn' : 'ok'),
  ]);

  facts.push(
    [
      span('watermark ', undefined, { dim: true }),
      span(stream.watermarkMs > 0 ? formatClock(stream.watermarkMs, true) : 'none yet'),
      span(compact ? ' behind ' : ' · behind clock ', undefined, { dim: true }),
      span(
        formatDuration(stream.watermarkGapMs),
        levelTone(thresholdLevel(stream.watermarkGapMs, thresholds.watermarkGap)),
      ),
    ],
    [
      span('dropped ', undefined, { dim: true }),
      span(formatCount(stream.droppedByWatermark), stream.droppedByWatermark > 0 ? 'warn' : undefined, {
        bold: stream.droppedByWatermark > 0,
      }),
    ],
    [
      span('quarantined ', undefined, { dim: true }),
      span(formatCount(stream.quarantined), stream.quarantined > 0 ? 'warn' : undefined),
    ],
    [
      span('state ', undefined, { dim: true }),
      span(`${formatCount(stream.stateRows)}${compact ? '' : ' rows'}`),
    ],
  );
  if (trouble && compact) facts.push(batch, progress);
  if (!compact) {
    facts.push([
      span('backlog ', undefined, { dim: true }),
      span(
        unit === 'bytes'
          ? `${formatLag(stream.totalLag, unit)}${stream.backlogRecords === null ? '' : ` ≈ ${formatCount(stream.backlogRecords)} rec`}`
          : formatLag(stream.totalLag, unit),
        levelTone(thresholdLevel(stream.backlogRecords, thresholds.lagRecords)),
      ),
      span(stream.lagRising ? '▲' : '', 'warn'),
    ]);
  }
  const factLines = flow(facts, width);
  const partitionsNeed = flow(
    stream.partitions.map((p) => partitionCell(p, compact, thresholds, unit)),
    width,
    '  ',
  ).length;
  const room = height - lines.length;
  const factRoom = Math.max(
    0,
    Math.min(factLines.length, room - Math.min(partitionsNeed, Math.max(1, room - factLines.length))),
  );
  lines.push(...factLines.slice(0, factRoom));
  lines.push(
    ...partitionLines(
      stream.partitions,
      width,
      height - lines.length,
      compact,
      thresholds,
      stream.offsetUnit,
    ),
  );
  return lines.slice(0, height);
}
