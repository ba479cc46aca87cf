/** Tiny text charts: sparklines and horizontal bars, in Unicode block elements. */

const SPARKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'] as const;

/** The last `width` values as a sparkline scaled to their own maximum (all zeros draw as the lowest bar). */
export function sparkline(values: readonly number[], width: number, max?: number): string {
  if (width <= 0) return '';
  const tail = values.slice(-width);
  const top = max ?? Math.max(0, ...tail);
  return tail
    .map((v) => {
      if (!(top > 0) || !(v > 0)) return SPARKS[0];
      const i = Math.min(SPARKS.length - 1, Math.max(0, Math.round((v / top) * (SPARKS.length - 1))));
      return SPARKS[i];
    })
    .join('');
}

/** A horizontal bar of `value / max` of `width` cells, with eighth-cell resolution; never empty for value > 0. */
export function bar(value: number, max: number, width: number): string {
  if (width <= 0 || !(max > 0) || !(value > 0)) return '';
  const eighths = Math.max(1, Math.round((Math.min(value, max) / max) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8];
}
