import { z } from 'zod';
import { parseDuration } from '../domain/time.js';

/** Values from env and flags arrive as strings; these accept both the typed and the string form. */
function numeric(value: unknown): unknown {
  if (
    typeof value === 'string' &&
    value.trim() !== '' &&
    /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(value.trim())
  ) {
    return Number(value.trim());
  }
  return value;
}

export const num = () => z.preprocess(numeric, z.number({ error: 'expected a number' }));
export const int = () =>
  z.preprocess(numeric, z.number({ error: 'expected a whole number' }).int('expected a whole number'));
export const positiveInt = () =>
  z.preprocess(
    numeric,
    z
      .number({ error: 'expected a whole number' })
      .int('expected a whole number')
      .positive('expected a number above 0'),
  );

export const bool = () =>
  z.preprocess(
    (v) => {
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (['1', 'true', 'yes', 'on'].includes(t)) return true;
        if (['0', 'false', 'no', 'off'].includes(t)) return false;
      }
      return v;
    },
    z.boolean({ error: 'expected true or false' }),
  );

/** A duration: a number of ms, or text like "10m", "1h30m", "500ms". Parsed to ms. */
export const durationMs = () =>
  z.preprocess(
    (v) => {
      if (typeof v === 'string') return parseDuration(v.trim()) ?? v;
      return v;
    },
    z
      .number({ error: 'expected a duration like 30s, 10m or 1h' })
      .nonnegative('expected a duration like 30s, 10m or 1h'),
  );

/** A comma-separated list from env/flags, or an array from a config file. */
export const list = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (v) =>
      typeof v === 'string'
        ? v
            .split(',')
            .map((s) => s.trim())
            .filter((s) => s.length > 0)
        : v,
    z.array(item),
  );

const BYTE_UNITS: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1000,
  kib: 1024,
  mb: 1000 ** 2,
  mib: 1024 ** 2,
  gb: 1000 ** 3,
  gib: 1024 ** 3,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
};

/** A size in bytes: a number, or text like "64MiB", "512k", "1GB" (k/m/g alone are binary). */
export const byteSize = () =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const m = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(v);
      const unit = BYTE_UNITS[(m?.[2] ?? '').toLowerCase() || 'b'];
      return m && unit !== undefined ? Math.floor(Number(m[1]) * unit) : v;
    },
    z
      .number({ error: 'expected a size like 64MiB, 512k or 1000000' })
      .int('expected a whole number of bytes')
      .positive('expected a size above 0'),
  );
