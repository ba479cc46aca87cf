import { formatNpr, type Paisa } from '../domain/money.js';
import { formatNepalTime } from '../domain/time.js';

/** Short human forms shared by the TUI and the plain-line reporter. Money always goes through formatNpr. */

/** 1234567 → "1,234,567". */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

/** Compact count: 999 → "999", 12_345 → "12.3k", 4_500_000 → "4.5M". */
export function formatCompact(n: number): string {
  const abs = Math.abs(n);
  if (abs < 1000) return String(Math.round(n));
  if (abs < 1e6) return `${(n / 1e3).toFixed(abs < 1e4 ? 2 : 1).replace(/\.?0+$/, '')}k`;
  if (abs < 1e9) return `${(n / 1e6).toFixed(abs < 1e7 ? 2 : 1).replace(/\.?0+$/, '')}M`;
  return `${(n / 1e9).toFixed(1).replace(/\.0$/, '')}B`;
}

/** Exact money with "NPR" (thousands separators, 2 decimals). */
export function formatMoney(paisa: Paisa): string {
  return `NPR ${formatNpr(paisa)}`;
}

/** Whole rupees, exact (paisa are truncated toward zero, never rounded through a float). */
export function formatRupees(paisa: Paisa): string {
  return formatNpr(paisa, { decimals: false });
}

/** Rate per second: 812.4 → "812/s", 12345 → "12.3k/s", null → "–". */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate)) return '–';
  return rate < 10 && rate > 0 ? `${rate.toFixed(1)}/s` : `${formatCompact(rate)}/s`;
}

/** Durations: 450 → "450ms", 12_300 → "12.3s", 4_200_000 → "1h10m". */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '–';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  if (abs < 60_000) return `${sign}${(abs / 1000).toFixed(abs < 10_000 ? 1 : 0)}s`;
  const totalMinutes = Math.floor(abs / 60_000);
  if (totalMinutes < 60)
    return `${sign}${totalMinutes}m${String(Math.floor((abs % 60_000) / 1000)).padStart(2, '0')}s`;
  const hours = Math.floor(totalMinutes / 60);
  if (hours < 48) return `${sign}${hours}h${String(totalMinutes % 60).padStart(2, '0')}m`;
  return `${sign}${Math.floor(hours / 24)}d${String(hours % 24).padStart(2, '0')}h`;
}

/** Seconds of lag: 0 → "0s", 0.35 → "0.4s", null → "?s". */
export function formatSeconds(seconds: number | null): string {
  if (seconds === null) return '?s';
  if (seconds === 0) return '0s';
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  return formatDuration(seconds * 1000);
}

/** Nepal time "2026-11-26 09:15:04 NPT", or "HH:MM NPT" when short. */
export function formatClock(ms: number | undefined, short = false): string {
  if (ms === undefined) return '–';
  return `${formatNepalTime(ms, short ? { date: false, seconds: false } : {})} NPT`;
}

/** Share as a percentage with one decimal: (1, 8) → "12.5%". Integer arithmetic on paisa, no float money. */
export function formatShare(part: Paisa, whole: Paisa): string {
  if (whole <= 0) return '0.0%';
  const permille = Math.round((part * 1000) / whole);
  return `${Math.floor(permille / 10)}.${permille % 10}%`;
}

/** Age for the header: "updated 3s ago". */
export function formatAgo(nowMs: number, thenMs: number | undefined): string {
  if (thenMs === undefined) return 'never';
  const seconds = Math.max(0, Math.floor((nowMs - thenMs) / 1000));
  if (seconds < 120) return `${seconds}s ago`;
  return `${formatDuration(seconds * 1000)} ago`;
}

/** Bytes in binary units: 512 → "512 B", 12_800 → "12.5 KiB", 3_500_000 → "3.3 MiB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = n / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** An amount of lag with its unit: "4,500 rec" for record offsets, "12.5 KiB" for a file's bytes. */
export function formatLag(n: number, unit: 'records' | 'bytes'): string {
  return unit === 'bytes' ? formatBytes(n) : `${formatCount(n)} rec`;
}
