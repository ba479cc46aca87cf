/** Nepal Standard Time is UTC+05:45 all year (no daylight saving). */
export const NEPAL_OFFSET_MS = (5 * 60 + 45) * 60_000;
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;

/** A tumbling/sliding window specification, in milliseconds on the UTC epoch (Spark's `window()` arguments). */
export interface WindowSpec {
  /** @default 3_600_000 (1 hour) */
  durationMs: number;
  /** @default durationMs (tumbling) */
  slideMs: number;
  /** Spark's startTime: offset of window starts from the epoch. @default 900_000 (15 min: Nepal hours) */
  startOffsetMs: number;
}

export const NEPAL_HOURLY_WINDOW: WindowSpec = {
  durationMs: HOUR_MS,
  slideMs: HOUR_MS,
  startOffsetMs: 15 * MINUTE_MS,
};

/** Start of the tumbling window containing `ts` (Spark: ts − ((ts − startTime) mod slide), floor semantics). */
export function windowStart(ts: number, spec: WindowSpec): number {
  const rem = (((ts - spec.startOffsetMs) % spec.slideMs) + spec.slideMs) % spec.slideMs;
  return ts - rem;
}

/**
 * Event times the lakehouse can hold: epoch microseconds stay exact in a double only within ±2^53 µs (about
 * 1684–2255), and windows and watermarks are computed on them, so the contract accepts
 * [1700-01-01T00:00:00Z, 2250-01-01T00:00:00Z). Anything outside is quarantined (rule `range`).
 */
export const MIN_EVENT_TIME_MS = -8_520_336_000_000; // 1700-01-01T00:00:00.000Z
export const MAX_EVENT_TIME_MS = 8_835_955_200_000; // 2250-01-01T00:00:00.000Z (exclusive)

/** A well-formed event time outside [MIN_EVENT_TIME_MS, MAX_EVENT_TIME_MS): `parseEventTimeMicros`'s answer. */
export const OUT_OF_RANGE = Number.NEGATIVE_INFINITY;

/**
 * The two timestamp forms the contract knows: `iso` (schema version 1: `YYYY-MM-DDTHH:mm:ss[.f{1,6}]Z`) and
 * `python` (schema version 0: a naive UTC datetime as Python's `str()` prints it, `YYYY-MM-DD HH:mm:ss` or
 * `YYYY-MM-DD HH:mm:ss.ffffff`, exactly 6 fraction digits).
 */
export type EventTimeForm = 'iso' | 'python';

/**
 * Parses a contract timestamp to epoch microseconds (fraction digits beyond 6 do not exist in either form;
 * fewer are padded: ".5" is 500,000 µs). Field ranges are checked and calendar overflow (Feb 30) rejected;
 * the calendar is computed directly (proleptic Gregorian), never through `Date.UTC`, which maps years 0–99
 * to 1900–1999. Returns undefined when malformed and `OUT_OF_RANGE` when well formed but outside what the
 * lakehouse holds. Runs once per message on the engine's critical path: fixed character positions, no regex.
 */
export function parseEventTimeMicros(text: unknown, form: EventTimeForm = 'iso'): number | undefined {
  if (typeof text !== 'string') return undefined;
  const length = text.length;
  let fractionDigits: number;
  if (form === 'iso') {
    // 20 = no fraction ("…:04Z"); 22..27 = a fraction of 1 to 6 digits ("…:04.5Z" … "…:04.512345Z").
    if (length !== 20 && (length < 22 || length > 27)) return undefined;
    if (text.charCodeAt(10) !== UPPER_T || text.charCodeAt(length - 1) !== UPPER_Z) return undefined;
    fractionDigits = length === 20 ? 0 : length - 21;
  } else {
    // 19 = a whole second; 26 = exactly six fraction digits (Python prints microseconds or nothing).
    if (length !== 19 && length !== 26) return undefined;
    if (text.charCodeAt(10) !== SPACE) return undefined;
    fractionDigits = length === 19 ? 0 : 6;
  }
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON
  ) {
    return undefined;
  }
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 2);
  const day = digits(text, 8, 2);
  const hour = digits(text, 11, 2);
  const minute = digits(text, 14, 2);
  const second = digits(text, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  let micros = 0;
  if (fractionDigits > 0) {
    if (text.charCodeAt(19) !== DOT) return undefined;
    const all = digits(text, 20, fractionDigits);
    if (all < 0) return undefined;
    micros = all * POW10[6 - fractionDigits]!;
  }
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  if (day > daysInMonth(year, month)) return undefined;
  const ms = (daysFromCivil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second) * 1000;
  if (ms < MIN_EVENT_TIME_MS || ms >= MAX_EVENT_TIME_MS) return OUT_OF_RANGE;
  return ms * 1000 + micros;
}

/** Epoch ms (floored) of a contract timestamp, or undefined when malformed or out of range. */
export function parseEventTime(text: unknown, form: EventTimeForm = 'iso'): number | undefined {
  const micros = parseEventTimeMicros(text, form);
  return micros === undefined || micros === OUT_OF_RANGE ? undefined : Math.floor(micros / 1000);
}

const POW10 = [1, 10, 100, 1000, 10_000, 100_000, 1_000_000];

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil), any year 0–9999. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

/** Formats epoch µs as ISO-8601 UTC with 3 fraction digits, or 6 when the time has sub-millisecond µs. */
export function formatEventTimeMicros(micros: number): string {
  const ms = Math.floor(micros / 1000);
  const rest = micros - ms * 1000;
  const iso = new Date(ms).toISOString();
  return rest === 0 ? iso : `${iso.slice(0, -1)}${String(rest).padStart(3, '0')}Z`;
}

const DASH = 0x2d;
const SPACE = 0x20;
const COLON = 0x3a;
const DOT = 0x2e;
const UPPER_T = 0x54;
const UPPER_Z = 0x5a;
const DIGIT_0 = 0x30;

/** The decimal value of `count` ASCII digits of `text` from `start`, or -1 if any is not a digit 0-9. */
function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - DIGIT_0;
    if (!(d >= 0 && d <= 9)) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Formats epoch ms as the contract's timestamp form (UTC, millisecond precision, `Z`). */
export function formatEventTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Nepal wall-clock parts for an epoch ms. */
export function nepalParts(ms: number): { date: string; hour: number; minute: number; second: number } {
  const d = new Date(ms + NEPAL_OFFSET_MS);
  return {
    date: d.toISOString().slice(0, 10),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    second: d.getUTCSeconds(),
  };
}

/** "2026-11-26 07:15:04 NPT" */
export function formatNepalTime(ms: number, opts: { seconds?: boolean; date?: boolean } = {}): string {
  const iso = new Date(ms + NEPAL_OFFSET_MS).toISOString();
  const time = opts.seconds === false ? iso.slice(11, 16) : iso.slice(11, 19);
  return opts.date === false ? time : `${iso.slice(0, 10)} ${time}`;
}

/** Minutes since local midnight in Nepal. */
export function nepalMinuteOfDay(ms: number): number {
  const local = ms + NEPAL_OFFSET_MS;
  return Math.floor((((local % 86_400_000) + 86_400_000) % 86_400_000) / MINUTE_MS);
}

/** Parses durations such as "10m", "1h", "30s", "500ms", "1h30m". */
export function parseDuration(text: string): number | undefined {
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  const units: Record<string, number> = { ms: 1, s: 1000, m: MINUTE_MS, h: HOUR_MS, d: 24 * HOUR_MS };
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    total += Number(match[1]) * (units[match[2] ?? ''] ?? Number.NaN);
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || text.length === 0 || !Number.isFinite(total)) return undefined;
  return Math.round(total);
}
