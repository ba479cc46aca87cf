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

/** Parses strict ISO-8601 UTC timestamps as the event contract requires: `YYYY-MM-DDTHH:mm:ss.sssZ`. */
const ISO_UTC_MS = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?Z$/;

export function parseEventTime(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = ISO_UTC_MS.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = ''] = m;
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59)
    return undefined;
  const ms = Date.UTC(
    Number(y),
    month - 1,
    day,
    hour,
    minute,
    second,
    Number(frac.padEnd(3, '0').slice(0, 3)),
  );
  // Reject calendar overflow such as Feb 30, which Date.UTC would silently roll over.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
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
