import { MINUTE_MS, NEPAL_OFFSET_MS } from '../domain/time.js';

/** The shape of a day's demand. `daily`: morning and afternoon peaks; `flat`: constant while open. */
export const PROFILES = ['daily', 'flat'] as const;
export type Profile = (typeof PROFILES)[number];

const DAY_MS = 86_400_000;
const MINUTES_PER_DAY = 1440;

function bump(hour: number, centre: number, width: number): number {
  const x = (hour - centre) / width;
  return Math.exp(-x * x);
}

/**
 * Demand per Nepal-local minute of the day, scaled so the day's peak is exactly 1 (so `--orders-per-hour`
 * is the chain's rate at the peak). Coffee-house shape: a breakfast rush around 09:00, a lunch shoulder,
 * a bigger afternoon peak around 16:00, a quiet evening. Zero is applied later, outside opening hours.
 */
export function demandCurve(profile: Profile): Float64Array {
  const curve = new Float64Array(MINUTES_PER_DAY);
  if (profile === 'flat') return curve.fill(1);
  for (let m = 0; m < MINUTES_PER_DAY; m++) {
    const h = (m + 0.5) / 60;
    curve[m] =
      0.18 +
      0.82 * bump(h, 9, 1.1) +
      0.45 * bump(h, 12.75, 0.9) +
      0.95 * bump(h, 16, 1.4) -
      0.1 * bump(h, 20.5, 1);
  }
  let max = 0;
  for (const v of curve) max = Math.max(max, v);
  for (let m = 0; m < MINUTES_PER_DAY; m++) curve[m] = Math.max(0, curve[m]! / max);
  return curve;
}

/** Minute of the Nepal-local day (0–1439) of an epoch ms. */
export function localMinute(ms: number): number {
  const local = ms + NEPAL_OFFSET_MS;
  return Math.floor((((local % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);
}

/** The first instant ≥ `ms` at which a branch open from `opensMinute` to `closesMinute` (local) is open. */
export function nextOpening(ms: number, opensMinute: number, closesMinute: number): number {
  const local = ms + NEPAL_OFFSET_MS;
  const dayStart = local - ((((local % DAY_MS) + DAY_MS) % DAY_MS) as number);
  const minute = localMinute(ms);
  if (minute >= opensMinute && minute < closesMinute) return ms;
  const opensToday = dayStart + opensMinute * MINUTE_MS;
  const next = minute < opensMinute ? opensToday : opensToday + DAY_MS;
  return next - NEPAL_OFFSET_MS;
}

/** Whether a branch is open at `ms`. */
export function isOpen(ms: number, opensMinute: number, closesMinute: number): boolean {
  const minute = localMinute(ms);
  return minute >= opensMinute && minute < closesMinute;
}
