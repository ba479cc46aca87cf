import { parseDuration } from '../domain/time.js';
import {
  DEFAULT_THRESHOLDS,
  type HealthThresholds,
  type ThresholdLevels,
  type ThresholdName,
} from './health-verdict.js';

/**
 * The text form of the health thresholds, as `--thresholds`, `BREWLINE_THRESHOLDS` and the config file's
 * `monitor.thresholds` take it: `name=WARN/ERR` pairs separated by commas; a name left out keeps its
 * default, `-` turns a level off. e.g. `lag=30s/2m,backlog=10000/100000,watermark-gap=3h/12h,since-batch=30s/2m`.
 */
export const THRESHOLD_KEYS: Readonly<Record<string, ThresholdName>> = {
  lag: 'lagSeconds',
  backlog: 'lagRecords',
  'watermark-gap': 'watermarkGap',
  'since-batch': 'sinceBatch',
};

const KEY_OF: Readonly<Record<ThresholdName, string>> = {
  lagSeconds: 'lag',
  lagRecords: 'backlog',
  watermarkGap: 'watermark-gap',
  sinceBatch: 'since-batch',
};

function formatLevel(name: ThresholdName, value: number | undefined): string {
  if (value === undefined) return '-';
  if (name === 'lagRecords') return String(value);
  const units: [number, string][] = [
    [3_600_000, 'h'],
    [60_000, 'm'],
    [1000, 's'],
  ];
  for (const [size, unit] of units) if (value % size === 0) return `${value / size}${unit}`;
  return `${value}ms`;
}

/** The text form of a set of thresholds (for help texts and the README). */
export function formatThresholds(thresholds: HealthThresholds = DEFAULT_THRESHOLDS): string {
  return (Object.keys(KEY_OF) as ThresholdName[])
    .map(
      (name) =>
        `${KEY_OF[name]}=${formatLevel(name, thresholds[name].warn)}/${formatLevel(name, thresholds[name].err)}`,
    )
    .join(',');
}

function parseLevel(name: ThresholdName, text: string): number | undefined | Error {
  const t = text.trim();
  if (t === '-' || t === '') return undefined;
  if (name === 'lagRecords') {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(t);
    if (!m) return new Error(`expected a record count like 10000 or 10k, got ${JSON.stringify(t)}`);
    const scale = m[2] === '' ? 1 : m[2]!.toLowerCase() === 'k' ? 1000 : 1_000_000;
    return Math.round(Number(m[1]) * scale);
  }
  const ms = parseDuration(t);
  if (ms === undefined) return new Error(`expected a duration like 30s or 2m, got ${JSON.stringify(t)}`);
  return ms;
}

/** Parses the text form over the defaults; returns a message for the first bad part. */
export function parseThresholds(
  text: string,
  base: HealthThresholds = DEFAULT_THRESHOLDS,
): HealthThresholds | string {
  const out: Record<ThresholdName, ThresholdLevels> = { ...base };
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq).trim();
    const name = THRESHOLD_KEYS[key];
    if (!name || eq < 0) {
      return `expected name=WARN/ERR with a name of ${Object.keys(THRESHOLD_KEYS).join(', ')}, got ${JSON.stringify(part)}`;
    }
    const [warnText = '', errText = '-', ...rest] = part.slice(eq + 1).split('/');
    if (rest.length > 0) return `expected ${key}=WARN/ERR, got ${JSON.stringify(part)}`;
    const warn = parseLevel(name, warnText);
    const err = parseLevel(name, errText);
    if (warn instanceof Error) return `${key}: ${warn.message}`;
    if (err instanceof Error) return `${key}: ${err.message}`;
    if (warn !== undefined && err !== undefined && err < warn) {
      return `${key}: the error level ${errText} is below the warning level ${warnText}`;
    }
    out[name] = { warn, err };
  }
  return out;
}
