import { formatCount, formatRupees } from '../monitor/display-format.js';
import type { GoldSnapshot } from '../monitor/feed-types.js';
import { formatNpr } from '../domain/money.js';
import { padEnd, padStart, span, type Line } from './spans.js';

/** Panel 2: top menu items by quantity sold, with revenue and orders. */
export function productPopularityLines(
  gold: GoldSnapshot | undefined,
  width: number,
  height: number,
): Line[] {
  if (height <= 0) return [];
  if (!gold) return [[span('waiting for gold…', undefined, { dim: true })]];
  if (gold.products.length === 0) return [[span('no items sold yet', undefined, { dim: true })]];
  const shown = gold.products.slice(0, Math.max(1, height - 1));
  const exact = width >= 56;
  const amount = (p: number): string => (exact ? formatNpr(p) : formatRupees(p));
  const qtyWidth = Math.max(3, ...shown.map((p) => formatCount(p.quantity).length));
  const revWidth = Math.max(7, ...shown.map((p) => amount(p.revenue).length));
  const ordWidth = Math.max(6, ...shown.map((p) => formatCount(p.orders).length));
  const nameWidth = Math.max(4, width - qtyWidth - revWidth - ordWidth - 3);
  const lines: Line[] = [];
  if (height > 1) {
    lines.push([
      span(
        `${padEnd('item', nameWidth)} ${padStart('qty', qtyWidth)} ${padStart('revenue', revWidth)} ${padStart('orders', ordWidth)}`,
        undefined,
        { dim: true },
      ),
    ]);
  }
  for (const p of shown.slice(0, height - lines.length)) {
    lines.push([
      span(padEnd(p.itemName, nameWidth)),
      span(' '),
      span(padStart(formatCount(p.quantity), qtyWidth), 'accent', { bold: true }),
      span(' '),
      span(padStart(amount(p.revenue), revWidth)),
      span(' '),
      span(padStart(formatCount(p.orders), ordWidth), undefined, { dim: true }),
    ]);
  }
  return lines;
}
