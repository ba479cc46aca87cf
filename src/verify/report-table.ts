import type { VerifyReport } from './compare.js';

/** Pads columns to a plain-text table (no colours: it must read the same in logs and CI). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** The human report of `brewline verify`: one line per check, then the differences (at most `limit`). */
export function renderVerifyReport(report: VerifyReport, limit = 50): string {
  const out: string[] = [];
  out.push(
    report.outputMode === 'update'
      ? `verify (update mode, late rows filtered with ${report.statefulOperatorAllowMultiple ? "wm(N−1): statefulOperator.allowMultiple=true, Spark's default" : 'wm(N): statefulOperator.allowMultiple=false'})`
      : `verify (${report.outputMode} mode)`,
  );
  out.push(
    textTable(
      ['check', 'result', 'detail'],
      report.checks.map((c) => [c.name, c.ok ? 'ok' : 'DIFF', c.detail]),
    ),
  );
  if (report.outputMode === 'update') {
    out.push(
      `very_late orders: ${report.droppedVeryLate} dropped by the watermark (subtracted from the ledger), ${report.keptVeryLate} kept (arrived before the watermark passed their window)`,
    );
  }
  if (report.differences.length === 0) {
    out.push('no differences');
  } else {
    out.push(`${report.differences.length} difference(s):`);
    const shown = report.differences.slice(0, limit);
    out.push(
      textTable(
        ['table', 'key', 'column', 'expected', 'actual'],
        shown.map((d) => [d.table, d.key, d.column, d.expected, d.actual]),
      ),
    );
    if (report.differences.length > limit)
      out.push(`… and ${report.differences.length - limit} more (use --json for all)`);
  }
  return out.join('\n');
}
