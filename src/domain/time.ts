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
 * Parses strict ISO-8601 UTC timestamps as the event contract requires: `YYYY-MM-DDTHH:mm:ss.sssZ`, i.e.
 * `^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$` with field ranges checked and
 * calendar overflow (Feb 30) rejected. Runs once per message on the engine's critical path, so it reads
 * fixed character positions instead of running a regex and allocating its match array.
 */
export function parseEventTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const length = text.length;
  // 20 = no fraction ("…:04Z"); 22..27 = a fraction of 1 to 6 digits ("…:04.5Z" … "…:04.512345Z").
  if (length !== 20 && (length < 22 || length > 27)) return undefined;
  if (
    text.charCodeAt(4) !== DASH ||
    text.charCodeAt(7) !== DASH ||
    text.charCodeAt(10) !== UPPER_T ||
    text.charCodeAt(13) !== COLON ||
    text.charCodeAt(16) !== COLON ||
    text.charCodeAt(length - 1) !== UPPER_Z
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
  let millis = 0;
  if (length !== 20) {
    if (text.charCodeAt(19) !== DOT) return undefined;
    const fractionDigits = length - 21;
    const all = digits(text, 20, fractionDigits);
    if (all < 0) return undefined;
    // Only the first 3 fraction digits count (the rest are truncated), padded to 3: ".5" is 500 ms.
    millis = fractionDigits >= 3 ? digits(text, 20, 3) : fractionDigits === 2 ? all * 10 : all * 100;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis);
  // Reject calendar overflow such as Feb 30, which Date.UTC would silently roll over. Every month has at
  // least 28 days, so only days 29..31 need the (allocating) check.
  if (day > 28 && new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

const DASH = 0x2d;
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
