import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDefaultCatalog } from '../../src/domain/catalog.js';
import { paisaToDecimalString } from '../../src/domain/money.js';
import { CONTRACT_RULES, validateOrderBytes, type ValidOrder } from '../../src/domain/order-event.js';
import { formatEventTimeMicros } from '../../src/domain/time.js';

/**
 * The shared contract corpus (PLAN.md §1): every line is an input and its verdict. The Python validator of
 * the Spark pipeline runs the same file, so the two validators cannot drift apart.
 */
interface CorpusCase {
  name: string;
  value?: string;
  value_b64?: string;
  expect: 'valid' | 'quarantine';
  rule?: string;
  order?: unknown;
}

const corpusPath = new URL('../../contract/order-events.corpus.jsonl', import.meta.url);
const cases = readFileSync(corpusPath, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as CorpusCase);
const catalog = loadDefaultCatalog();

function bytesOf(c: CorpusCase): Uint8Array {
  if (c.value_b64 !== undefined) return Buffer.from(c.value_b64, 'base64');
  if (c.value === undefined) throw new Error(`case ${c.name} has neither value nor value_b64`);
  return Buffer.from(c.value, 'utf8');
}

/** The silver view of a valid order, in the corpus's format (DECIMAL text, ISO times as silver stores them). */
function silverView(o: ValidOrder): unknown {
  return {
    order_id: o.orderId,
    event_time: formatEventTimeMicros(o.eventTimeMicros),
    branch: o.branch,
    terminal_id: o.terminalId,
    mode_of_payment: o.payment,
    order_total: paisaToDecimalString(o.totalPaisa),
    lines: o.lines.map((l) => ({
      line_no: l.lineNo,
      item_id: l.itemId,
      item_name: l.itemName,
      category: l.category,
      unit_price: paisaToDecimalString(l.pricePaisa),
      quantity: l.quantity,
      line_amount: paisaToDecimalString(l.amountPaisa),
    })),
  };
}

describe('contract corpus (contract/order-events.corpus.jsonl)', () => {
  it('has distinct names, at least 80 cases, and covers every rule and both verdicts', () => {
    expect(cases.length).toBeGreaterThanOrEqual(80);
    expect(new Set(cases.map((c) => c.name)).size).toBe(cases.length);
    const rules = new Set(cases.flatMap((c) => (c.rule ? [c.rule] : [])));
    expect([...CONTRACT_RULES].filter((r) => !rules.has(r))).toEqual([]);
    expect([...rules].filter((r) => !(CONTRACT_RULES as readonly string[]).includes(r))).toEqual([]);
    expect(cases.some((c) => c.expect === 'valid')).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const result = validateOrderBytes(bytesOf(c), catalog);
    if (c.expect === 'valid') {
      expect(result.ok ? silverView(result.order) : result.reason).toEqual(c.order);
    } else {
      expect(result.ok ? 'valid' : result.rule).toBe(c.rule);
      if (!result.ok) expect(result.reason.startsWith(`${c.rule}: `)).toBe(true);
    }
  });
});
