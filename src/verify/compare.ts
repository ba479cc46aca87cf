import type { OutputMode } from '../config/pipeline-config.js';
import type { Ledger } from '../domain/ledger.js';
import type { BranchWindow, HourlyWindow, ProductWindow } from '../pipeline/gold.js';
import { averagePaisa, paisaFromDecimalString, paisaToDecimalString, type Paisa } from '../domain/money.js';
import { formatEventTime, windowStart, type WindowSpec } from '../domain/time.js';

/** One line of an order the watermark dropped, as silver holds it (verify subtracts it from the ledger). */
export interface DroppedLine {
  /** The batch that dropped it (ops.watermark_drops.batch_id). */
  batchId?: number;
  orderId: string;
  eventTimeMs: number;
  branch: string;
  itemId: string;
  itemName: string;
  category: string;
  quantity: number;
  amountPaisa: Paisa;
}

/** Gold rows as the lakehouse holds them: the engine's own window rows (hourly with its stored average). */
export type GoldBranchRow = BranchWindow;
export type GoldProductRow = ProductWindow;
export type GoldHourlyRow = HourlyWindow & { avgOrderValuePaisa: Paisa };

/** What a lakehouse actually holds, gathered by `readLakehouseFacts`. */
export interface LakehouseFacts {
  branch: GoldBranchRow[];
  product: GoldProductRow[];
  hourly: GoldHourlyRow[];
  silver: { orders: number; lines: number; items: number; revenuePaisa: Paisa };
  bronzeRows: number;
  quarantined: number;
  /** Σ num_rows_dropped_by_watermark over ops.stream_progress. */
  progressDroppedRows: number;
  /** Lines of the orders in ops.watermark_drops, from silver. */
  droppedLines: DroppedLine[];
  /** Distinct order ids in ops.watermark_drops (with or without silver lines). */
  droppedOrderIds: string[];
  /**
   * Every silver order with the batch that brought it and that batch's watermark wm(N) and wm(N−1)
   * (from ops.batch_commits), so the late rule can be re-checked order by order. Absent: not checked.
   */
  orderBatches?: OrderBatch[];
}

export interface OrderBatch {
  orderId: string;
  eventTimeMs: number;
  batchId: number;
  batchWatermarkMs: number;
  previousBatchWatermarkMs: number;
}

/** The rule `verify` holds update mode to (the query's settings, as ops.query_settings records them). */
export interface VerifyRule {
  outputMode: OutputMode;
  /** Spark's statefulOperator.allowMultiple: late rows of batch N filtered with wm(N−1) (true) or wm(N). */
  statefulOperatorAllowMultiple: boolean;
}

export interface Difference {
  table: string;
  key: string;
  column: string;
  expected: string;
  actual: string;
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyReport {
  outputMode: OutputMode;
  statefulOperatorAllowMultiple: boolean;
  checks: Check[];
  differences: Difference[];
  /** Orders the engine dropped (update mode) that the ledger lists as very_late. */
  droppedVeryLate: number;
  /** very_late orders the engine kept (e.g. they came in the first batch, before any watermark). */
  keptVeryLate: number;
}

const NONE = '(missing)';

/**
 * Compares a lakehouse with the simulator's ledger. Complete mode: gold must equal the ledger exactly.
 * Update mode: the expected gold is the ledger minus the orders the engine recorded as dropped by the
 * watermark; each of those must be a `very_late` order of the ledger and late by the rule (window end ≤
 * wm(N−1) with allowMultiple, Spark's default, else ≤ wm(N)), no kept order may be late by it, and the
 * progress's dropped rows must be Spark's count: per batch, the late (window, key) groups of each of the
 * three aggregations, summed. Silver, bronze and quarantine must match in both modes.
 */
export function compareWithLedger(
  ledger: Ledger,
  facts: LakehouseFacts,
  mode: OutputMode | VerifyRule,
): VerifyReport {
  const rule: VerifyRule =
    typeof mode === 'string' ? { outputMode: mode, statefulOperatorAllowMultiple: true } : mode;
  const outputMode = rule.outputMode;
  const window: WindowSpec = {
    durationMs: ledger.window.duration_ms,
    slideMs: ledger.window.duration_ms,
    startOffsetMs: ledger.window.start_offset_ms,
  };
  const differences: Difference[] = [];
  const checks: Check[] = [];
  const veryLate = new Set(ledger.faults.very_late.order_ids);

  const expected = expectedGold(ledger, outputMode === 'update' ? facts.droppedLines : [], window);
  compareRows(
    'gold.branch_revenue',
    expected.branch,
    facts.branch.map((r) => [`${iso(r.windowStartMs)} ${r.branch}`, branchCells(r)] as const),
    differences,
  );
  compareRows(
    'gold.product_popularity',
    expected.product,
    facts.product.map((r) => [`${iso(r.windowStartMs)} ${r.itemId}`, productCells(r)] as const),
    differences,
  );
  compareRows(
    'gold.hourly_sales',
    expected.hourly,
    facts.hourly.map((r) => [iso(r.windowStartMs), hourlyCells(r)] as const),
    differences,
  );
  const goldDiffs = differences.length;
  checks.push({
    name: 'gold tables',
    ok: goldDiffs === 0,
    detail:
      goldDiffs === 0
        ? `${facts.branch.length + facts.product.length + facts.hourly.length} rows match`
        : `${goldDiffs} differences`,
  });

  const t = ledger.totals;
  const silver: [string, string, string][] = [
    ['orders', String(t.orders), String(facts.silver.orders)],
    ['lines', String(t.lines), String(facts.silver.lines)],
    ['items', String(t.items), String(facts.silver.items)],
    ['revenue', t.revenue, paisaToDecimalString(facts.silver.revenuePaisa)],
  ];
  addScalarChecks('silver.order_items', silver, differences, checks);
  addScalarChecks(
    'bronze.orders_raw',
    [['rows (messages sent)', String(ledger.messages.sent), String(facts.bronzeRows)]],
    differences,
    checks,
  );
  addScalarChecks(
    'silver.quarantine',
    [
      [
        'rows (malformed + invalid)',
        String(ledger.faults.malformed.count + ledger.faults.invalid.count),
        String(facts.quarantined),
      ],
    ],
    differences,
    checks,
  );

  const droppedIds = new Set(facts.droppedOrderIds);
  const notVeryLate = [...droppedIds].filter((id) => !veryLate.has(id));
  if (outputMode === 'complete') {
    addScalarChecks(
      'ops.stream_progress',
      [['rows dropped by watermark (complete mode drops nothing)', '0', String(facts.progressDroppedRows)]],
      differences,
      checks,
    );
  } else {
    addScalarChecks(
      'ops.stream_progress',
      [
        [
          'rows dropped by watermark = late (window, key) groups of the three aggregations',
          String(lateGroups(facts.droppedLines, window)),
          String(facts.progressDroppedRows),
        ],
      ],
      differences,
      checks,
    );
    if (facts.orderBatches) checkLateRule(facts, rule, window, differences, checks);
    for (const id of notVeryLate) {
      differences.push({
        table: 'ops.watermark_drops',
        key: id,
        column: 'fault kind',
        expected: 'very_late',
        actual: 'not very_late',
      });
    }
    checks.push({
      name: 'dropped orders are very_late',
      ok: notVeryLate.length === 0,
      detail: `${droppedIds.size} dropped, ${notVeryLate.length} not very_late`,
    });
  }
  const droppedVeryLate = [...droppedIds].filter((id) => veryLate.has(id)).length;
  return {
    outputMode,
    statefulOperatorAllowMultiple: rule.statefulOperatorAllowMultiple,
    checks,
    differences,
    droppedVeryLate,
    keptVeryLate: veryLate.size - droppedVeryLate,
  };
}

/**
 * Spark's numRowsDroppedByWatermark summed over the three gold aggregations: per batch, distinct late
 * (window, branch), (window, item) and window groups. Lines without a batch count as one batch.
 */
function lateGroups(lines: readonly DroppedLine[], window: WindowSpec): number {
  const groups = new Set<string>();
  for (const l of lines) {
    const start = windowStart(l.eventTimeMs, window);
    const b = l.batchId ?? -1;
    groups.add(`${b}|b|${start}|${l.branch}`);
    groups.add(`${b}|p|${start}|${l.itemId}`);
    groups.add(`${b}|h|${start}`);
  }
  return groups.size;
}

/** Re-checks every order against the late rule: dropped iff its window end ≤ the batch's late watermark. */
function checkLateRule(
  facts: LakehouseFacts,
  rule: VerifyRule,
  window: WindowSpec,
  out: Difference[],
  checks: Check[],
): void {
  const dropped = new Set(facts.droppedOrderIds);
  const wrong: Difference[] = [];
  const name = rule.statefulOperatorAllowMultiple ? 'wm(N−1)' : 'wm(N)';
  for (const o of facts.orderBatches ?? []) {
    const threshold = rule.statefulOperatorAllowMultiple ? o.previousBatchWatermarkMs : o.batchWatermarkMs;
    const late = windowStart(o.eventTimeMs, window) + window.durationMs <= threshold;
    if (late !== dropped.has(o.orderId)) {
      wrong.push({
        table: 'ops.watermark_drops',
        key: o.orderId,
        column: `late by ${name} (batch ${o.batchId}, ${iso(threshold)})`,
        expected: late ? 'dropped' : 'kept',
        actual: dropped.has(o.orderId) ? 'dropped' : 'kept',
      });
    }
  }
  out.push(...wrong);
  checks.push({
    name: `late rule (${name})`,
    ok: wrong.length === 0,
    detail: `${facts.orderBatches?.length ?? 0} orders checked, ${wrong.length} against the rule`,
  });
}

type Cells = Record<string, string>;

function iso(ms: number): string {
  return formatEventTime(ms);
}

function branchCells(r: Omit<GoldBranchRow, 'windowStartMs' | 'branch'>): Cells {
  return { revenue: paisaToDecimalString(r.revenuePaisa), orders: String(r.orders), items: String(r.items) };
}

function productCells(r: Omit<GoldProductRow, 'windowStartMs' | 'itemId'>): Cells {
  return {
    item_name: r.itemName,
    category: r.category,
    quantity: String(r.quantity),
    revenue: paisaToDecimalString(r.revenuePaisa),
    orders: String(r.orders),
  };
}

function hourlyCells(r: Omit<GoldHourlyRow, 'windowStartMs'>): Cells {
  return {
    revenue: paisaToDecimalString(r.revenuePaisa),
    orders: String(r.orders),
    items: String(r.items),
    avg_order_value: paisaToDecimalString(r.avgOrderValuePaisa),
  };
}

interface ExpectedGold {
  branch: Map<string, Cells>;
  product: Map<string, Cells>;
  hourly: Map<string, Cells>;
}

/** The ledger's gold rows, minus the contribution of dropped orders (rows left with no orders vanish). */
function expectedGold(ledger: Ledger, dropped: readonly DroppedLine[], window: WindowSpec): ExpectedGold {
  const branch = new Map<string, GoldBranchRow>();
  for (const r of ledger.gold.branch_revenue) {
    const start = Date.parse(r.window_start);
    branch.set(`${iso(start)} ${r.branch}`, {
      windowStartMs: start,
      branch: r.branch,
      revenuePaisa: paisaFromDecimalString(r.revenue),
      orders: r.orders,
      items: r.items,
    });
  }
  const product = new Map<string, GoldProductRow>();
  for (const r of ledger.gold.product_popularity) {
    const start = Date.parse(r.window_start);
    product.set(`${iso(start)} ${r.item_id}`, {
      windowStartMs: start,
      itemId: r.item_id,
      itemName: r.item_name,
      category: r.category,
      quantity: r.quantity,
      revenuePaisa: paisaFromDecimalString(r.revenue),
      orders: r.orders,
    });
  }
  const hourly = new Map<string, Omit<GoldHourlyRow, 'avgOrderValuePaisa'>>();
  for (const r of ledger.gold.hourly_sales) {
    const start = Date.parse(r.window_start);
    hourly.set(iso(start), {
      windowStartMs: start,
      revenuePaisa: paisaFromDecimalString(r.revenue),
      orders: r.orders,
      items: r.items,
    });
  }
  const hourlyAvgFromLedger = new Map(
    ledger.gold.hourly_sales.map((r) => [iso(Date.parse(r.window_start)), r.avg_order_value]),
  );

  const ordersSeen = new Set<string>();
  for (const line of dropped) {
    const start = windowStart(line.eventTimeMs, window);
    const firstLine = !ordersSeen.has(line.orderId);
    ordersSeen.add(line.orderId);
    const b = branch.get(`${iso(start)} ${line.branch}`);
    if (b) {
      b.revenuePaisa -= line.amountPaisa;
      b.items -= line.quantity;
      if (firstLine) b.orders -= 1;
    }
    const p = product.get(`${iso(start)} ${line.itemId}`);
    if (p) {
      p.quantity -= line.quantity;
      p.revenuePaisa -= line.amountPaisa;
      p.orders -= 1;
    }
    const h = hourly.get(iso(start));
    if (h) {
      h.revenuePaisa -= line.amountPaisa;
      h.items -= line.quantity;
      if (firstLine) h.orders -= 1;
      hourlyAvgFromLedger.delete(iso(start));
    }
  }
  const keep = <T extends { orders: number }>(
    m: Map<string, T>,
    cells: (r: T) => Cells,
  ): Map<string, Cells> => new Map([...m].filter(([, r]) => r.orders > 0).map(([k, r]) => [k, cells(r)]));
  return {
    branch: keep(branch, branchCells),
    product: keep(product, productCells),
    hourly: keep(hourly, (r) => ({
      ...hourlyCells({ ...r, avgOrderValuePaisa: averagePaisa(r.revenuePaisa, r.orders) }),
      // Untouched windows keep the ledger's own figure, so a rounding disagreement still shows up.
      ...(hourlyAvgFromLedger.has(iso(r.windowStartMs))
        ? { avg_order_value: hourlyAvgFromLedger.get(iso(r.windowStartMs))! }
        : {}),
    })),
  };
}

function compareRows(
  table: string,
  expected: Map<string, Cells>,
  actual: readonly (readonly [string, Cells])[],
  out: Difference[],
): void {
  const seen = new Set<string>();
  for (const [key, cells] of actual) {
    seen.add(key);
    const want = expected.get(key);
    if (!want) {
      out.push({ table, key, column: '(row)', expected: NONE, actual: 'present' });
      continue;
    }
    for (const [column, value] of Object.entries(want)) {
      const got = cells[column] ?? NONE;
      if (!sameValue(value, got)) out.push({ table, key, column, expected: value, actual: got });
    }
  }
  for (const key of expected.keys()) {
    if (!seen.has(key)) out.push({ table, key, column: '(row)', expected: 'present', actual: NONE });
  }
}

/** Money compares by value ("185.5" = "185.50"); everything else as text. */
function sameValue(a: string, b: string): boolean {
  if (a === b) return true;
  const money = /^-?\d+(\.\d{1,2})?$/;
  return money.test(a) && money.test(b) && paisaFromDecimalString(a) === paisaFromDecimalString(b);
}

function addScalarChecks(
  table: string,
  rows: readonly [string, string, string][],
  out: Difference[],
  checks: Check[],
): void {
  let ok = true;
  for (const [column, expected, actual] of rows) {
    if (!sameValue(expected, actual)) {
      ok = false;
      out.push({ table, key: '(total)', column, expected, actual });
    }
  }
  checks.push({
    name: table,
    ok,
    detail: rows.map(([c, e, a]) => `${c} ${a}${sameValue(e, a) ? '' : ` (expected ${e})`}`).join(', '),
  });
}
