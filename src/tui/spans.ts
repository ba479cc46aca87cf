import type { Tone } from './theme.js';

/** A run of text with one style; a line is a list of spans. Panels build lines as data, views print them. */
export interface Span {
  readonly text: string;
  readonly tone?: Tone | undefined;
  readonly bold?: boolean;
  readonly dim?: boolean;
  readonly inverse?: boolean;
}

export type Line = readonly Span[];

export const span = (text: string, tone?: Tone, extra: Omit<Span, 'text' | 'tone'> = {}): Span => ({
  text,
  tone,
  ...extra,
});

export const lineWidth = (line: Line): number => line.reduce((w, s) => w + s.text.length, 0);

/** Cuts a line to `width` characters (ending in "…" when something was cut) and pads it to exactly `width`. */
export function fitLine(line: Line, width: number): Line {
  const out: Span[] = [];
  let used = 0;
  const total = lineWidth(line);
  for (const s of line) {
    if (used >= width) break;
    const room = width - used;
    if (s.text.length <= room && !(total > width && used + s.text.length === width)) {
      out.push(s);
      used += s.text.length;
    } else {
      out.push({ ...s, text: `${s.text.slice(0, Math.max(0, room - 1))}…` });
      used = width;
    }
  }
  if (used < width) out.push({ text: ' '.repeat(width - used) });
  return out;
}

/** Text cut to `width` with "…", no padding. */
export function truncate(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length <= width ? text : `${text.slice(0, Math.max(0, width - 1))}…`;
}

export const padEnd = (text: string, width: number): string => truncate(text, width).padEnd(width);
export const padStart = (text: string, width: number): string => truncate(text, width).padStart(width);

/** Lays out items left to right, starting a new line when the next one would not fit. */
export function flow(items: readonly Line[], width: number, separator = ' · '): Line[] {
  const lines: Span[][] = [];
  let current: Span[] = [];
  let used = 0;
  for (const item of items) {
    const w = lineWidth(item);
    if (current.length > 0 && used + separator.length + w > width) {
      lines.push(current);
      current = [];
      used = 0;
    }
    if (current.length > 0) {
      current.push({ text: separator, dim: true });
      used += separator.length;
    }
    current.push(...item);
    used += w;
  }
  if (current.length > 0) lines.push(current);
  return lines;
}

/** Joins groups left to right, leaving out any group that no longer fits (the first is always kept). */
export function fitGroups(groups: readonly Line[], width: number): Span[] {
  const out: Span[] = [];
  let used = 0;
  groups.forEach((group, i) => {
    const w = lineWidth(group);
    if (i === 0 || used + w <= width) {
      out.push(...group);
      used += w;
    }
  });
  return out;
}
