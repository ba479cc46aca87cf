import type { PartitionOffsets } from '../types.js';
import type {
  BatchProgress,
  DurationPhase,
  SourceProgress,
  StateOperatorProgress,
} from '../../pipeline/progress-types.js';

/** The line marker of the child's progress protocol (PROTOCOL.md). */
export const PROTOCOL_MARKER = 'BREWLINE ';

/** What the Spark job reports for one batch's silver step. */
export interface SilverCounts {
  rows: number;
  orders: number;
  duplicates: number;
  quarantined: number;
}

/** One protocol line, parsed. */
export type SparkJobEvent =
  | { event: 'started'; queryName: string; queryId: string; runId: string; timestamp: string }
  | { event: 'progress'; progress: BatchProgress }
  | { event: 'silver'; queryName: string; batchId: number; silver: SilverCounts }
  | { event: 'idle'; queryName: string; queryId: string; timestamp: string }
  | { event: 'terminated'; queryName: string; queryId: string; timestamp: string; error?: string };

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v : fallback);
/** Spark writes NaN/Infinity rates as strings or omits them; null here (as in BatchProgress). */
const rate = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const int = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : Number(v ?? 0) || 0);

/**
 * Spark's source offsets as brewline's per-partition map: Kafka's `{"topic": {"0": 12}}` flattened (one
 * topic), a file source's `{"logOffset": 3}` as partition 0.
 */
export function flattenOffsets(value: unknown): PartitionOffsets {
  let parsed = value;
  if (typeof parsed === 'string') {
    try {
      parsed = JSON.parse(parsed) as unknown;
    } catch {
      return {};
    }
  }
  if (!isObject(parsed)) return {};
  if (typeof parsed['logOffset'] === 'number') return { '0': parsed['logOffset'] };
  const out: Record<string, number> = {};
  for (const partitions of Object.values(parsed)) {
    if (!isObject(partitions)) continue;
    for (const [partition, offset] of Object.entries(partitions)) {
      if (/^\d+$/.test(partition) && typeof offset === 'number' && offset >= 0) out[partition] = offset;
    }
  }
  return out;
}

const PHASES: readonly DurationPhase[] = [
  'latestOffset',
  'getBatch',
  'queryPlanning',
  'addBatch',
  'walCommit',
  'commitOffsets',
  'triggerExecution',
];

/** Spark's StreamingQueryProgress JSON as brewline's BatchProgress (the shape every view reads). */
export function toBatchProgress(p: Json, silver?: SilverCounts): BatchProgress {
  const durations = isObject(p['durationMs']) ? p['durationMs'] : {};
  const durationMs: Partial<Record<DurationPhase, number>> = {};
  for (const phase of PHASES) if (typeof durations[phase] === 'number') durationMs[phase] = durations[phase];
  const eventTime = isObject(p['eventTime']) ? p['eventTime'] : {};
  const stateOperators: StateOperatorProgress[] = (
    Array.isArray(p['stateOperators']) ? p['stateOperators'] : []
  )
    .filter(isObject)
    .map((op) => ({
      operatorName: str(op['operatorName'], 'stateStoreSave'),
      numRowsTotal: int(op['numRowsTotal']),
      numRowsUpdated: int(op['numRowsUpdated']),
      numRowsRemoved: int(op['numRowsRemoved']),
      numRowsDroppedByWatermark: int(op['numRowsDroppedByWatermark']),
      memoryUsedBytes: int(op['memoryUsedBytes']),
    }));
  const sources: SourceProgress[] = (Array.isArray(p['sources']) ? p['sources'] : [])
    .filter(isObject)
    .map((s) => ({
      description: str(s['description']),
      startOffset: flattenOffsets(s['startOffset']),
      endOffset: flattenOffsets(s['endOffset']),
      latestOffset: flattenOffsets(s['latestOffset']),
      numInputRows: int(s['numInputRows']),
      inputRowsPerSecond: rate(s['inputRowsPerSecond']),
      processedRowsPerSecond: rate(s['processedRowsPerSecond']),
    }));
  const sink = isObject(p['sink']) ? p['sink'] : {};
  const numInputRows = int(p['numInputRows']);
  return {
    queryName: str(p['name'], 'orders'),
    queryId: str(p['id']),
    runId: str(p['runId']),
    batchId: int(p['batchId']),
    timestamp: str(p['timestamp']),
    numInputRows,
    inputRowsPerSecond: rate(p['inputRowsPerSecond']),
    processedRowsPerSecond: rate(p['processedRowsPerSecond']),
    durationMs,
    eventTime: {
      ...(typeof eventTime['min'] === 'string' ? { min: eventTime['min'] } : {}),
      ...(typeof eventTime['max'] === 'string' ? { max: eventTime['max'] } : {}),
      ...(typeof eventTime['avg'] === 'string' ? { avg: eventTime['avg'] } : {}),
      watermark: str(eventTime['watermark'], '1970-01-01T00:00:00.000Z'),
    },
    stateOperators,
    sources,
    sink: { description: str(sink['description']), numOutputRows: int(sink['numOutputRows']) },
    silver: silver ?? { rows: numInputRows, orders: 0, duplicates: 0, quarantined: 0 },
  };
}

function silverOf(v: unknown): SilverCounts | undefined {
  if (!isObject(v)) return undefined;
  return {
    rows: int(v['rows']),
    orders: int(v['orders']),
    duplicates: int(v['duplicates']),
    quarantined: int(v['quarantined']),
  };
}

/**
 * A progress line that carries only a summary (`name`, `batchId`, `numInputRows`, `watermark`,
 * `droppedByWatermark`, `durationMs`) instead of Spark's whole progress JSON: what the job's listener printed
 * before it sent the full object. No offsets, so no lag from it.
 */
function summaryProgress(v: Json): Json {
  const dropped = int(v['droppedByWatermark']);
  return {
    name: v['name'],
    id: v['id'],
    batchId: v['batchId'],
    numInputRows: v['numInputRows'],
    timestamp: v['timestamp'] ?? new Date().toISOString(),
    durationMs: typeof v['durationMs'] === 'number' ? { triggerExecution: v['durationMs'] } : v['durationMs'],
    eventTime: { watermark: v['watermark'] },
    stateOperators:
      dropped > 0 ? [{ operatorName: 'stateStoreSave', numRowsDroppedByWatermark: dropped }] : [],
  };
}

/**
 * Parses one stdout line of the job; undefined for anything that is not a protocol line. Lines start with
 * the marker; a bare JSON object with an `event` field is accepted too (the job's listener before the marker).
 */
export function parseProtocolLine(line: string): SparkJobEvent | undefined {
  const text = line.startsWith(PROTOCOL_MARKER) ? line.slice(PROTOCOL_MARKER.length) : line;
  if (!text.startsWith('{')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isObject(value)) return undefined;
  const now = new Date().toISOString();
  switch (value['event']) {
    case 'started':
      return {
        event: 'started',
        queryName: str(value['queryName'] ?? value['name'], 'orders'),
        queryId: str(value['queryId'] ?? value['id']),
        runId: str(value['runId']),
        timestamp: str(value['timestamp'], now),
      };
    case 'progress': {
      const progress = isObject(value['progress']) ? value['progress'] : summaryProgress(value);
      return { event: 'progress', progress: toBatchProgress(progress, silverOf(value['silver'])) };
    }
    case 'silver': {
      const silver = silverOf(value);
      if (!silver) return undefined;
      return {
        event: 'silver',
        queryName: str(value['queryName'], 'orders'),
        batchId: int(value['batchId']),
        silver,
      };
    }
    case 'idle':
      return {
        event: 'idle',
        queryName: str(value['queryName'] ?? value['name']),
        queryId: str(value['queryId'] ?? value['id']),
        timestamp: str(value['timestamp'], now),
      };
    case 'error':
      return {
        event: 'terminated',
        queryName: str(value['queryName'] ?? value['name']),
        queryId: str(value['queryId'] ?? value['id']),
        timestamp: now,
        error: str(value['message'], 'the Spark job failed'),
      };
    case 'terminated': {
      const error = value['error'] ?? value['exception'];
      return {
        event: 'terminated',
        queryName: str(value['queryName'] ?? value['name']),
        queryId: str(value['queryId'] ?? value['id']),
        timestamp: str(value['timestamp'], now),
        ...(typeof error === 'string' && error !== '' ? { error } : {}),
      };
    }
    default:
      return undefined;
  }
}
