import { formatCount, formatMoney, formatShare, formatRupees } from '../monitor/display-format.js';
import type { GoldSnapshot } from '../monitor/feed-types.js';
import { formatNpr } from '../domain/money.js';
import { bar } from './sparkline.js';
import { fitGroups, padEnd, padStart, span, type Line } from './spans.js';

/** Panel 1: top branches by revenue over every window in gold, as bars with amount and share of the chain. */
export function branchRevenueLines(gold: GoldSnapshot | undefined, width: number, height: number): Line[] {
  if (height <= 0) return [];
  if (!gold) return [[span('waiting for gold…', undefined, { dim: true })]];
  if (gold.branches.length === 0) {
    return [
      [
        span(gold.branch ? `no sales for ${gold.branch} yet` : 'no sales in gold yet', undefined, {
          dim: true,
        }),
      ],
    ];
  }
  const rows = Math.max(1, height - 1);
  const shown = gold.branches.slice(0, rows);
  // Exact paisa when there is room; whole rupees (paisa cut, never rounded through a float) otherwise.
  const exact = width >= 56;
  const amount = (p: number): string => (exact ? formatNpr(p) : formatRupees(p));
  const amountWidth = Math.max(...shown.map((b) => amount(b.revenue).length));
  const nameWidth = Math.min(
    Math.max(16, Math.floor(width * 0.33)),
    Math.max(6, ...shown.map((b) => b.branch.length)),
  );
  const shareWidth = 6;
  const barWidth = Math.max(0, width - nameWidth - amountWidth - shareWidth - 3);
  const max = gold.branches[0]?.revenue ?? 0;
  const lines: Line[] = shown.map((b) => [
    span(padEnd(b.branch, nameWidth)),
    span(' '),
    span(padEnd(bar(b.revenue, max, barWidth), barWidth), 'bar'),
    span(' '),
    span(padStart(amount(b.revenue), amountWidth), undefined, { bold: true }),
    span(' '),
    span(padStart(formatShare(b.revenue, gold.chainRevenue), shareWidth), undefined, { dim: true }),
  ]);
  if (height > 1) {
    const more = gold.branches.length - shown.length;
    lines.push(
      fitGroups(
        [
          [
            span('Σ ', undefined, { dim: true }),
            span(formatMoney(gold.totals.revenue), undefined, { bold: true }),
          ],
          [span(` · ${formatCount(gold.totals.orders)} orders`)],
          gold.branch
            ? [
                span(` · ${formatShare(gold.totals.revenue, gold.chainRevenue)} of chain`, undefined, {
                  dim: true,
                }),
              ]
            : [
                span(` · ${gold.branches.length} branches${more > 0 ? ` (${more} more)` : ''}`, undefined, {
                  dim: true,
                }),
              ],
        ],
        width,
      ),
    );
  }
  return lines;
}
