import { isUtf8 } from 'node:buffer';
import type { Catalog } from './catalog.js';
import {
  paisaFromPlainValue,
  scanOrderLiterals,
  TOO_LARGE,
  UNPLAIN_NUMBER,
  type OrderLiterals,
} from './json-literals.js';
import type { Paisa } from './money.js';
import {
  formatEventTime,
  MAX_EVENT_TIME_MS,
  MIN_EVENT_TIME_MS,
  OUT_OF_RANGE,
  parseEventTimeMicros,
} from './time.js';

/** The wire form of one order (DOMAIN.md, schema_version 1). Money fields are NPR JSON numbers. */
export interface OrderEventWire {
  schema_version: 1;
  order_id: string;
  timestamp: string;
  branch: string;
  terminal_id: string;
  order_details: OrderLineWire[];
  total_order_amount: number;
  currency: 'NPR';
  mode_of_payment: PaymentMode;
}

export interface OrderLineWire {
  item_id: string;
  item_name: string;
  category: string;
  price: number;
  quantity: number;
  amount: number;
}

export const PAYMENT_MODES = ['mobile banking', 'debit card', 'cash'] as const;
export type PaymentMode = (typeof PAYMENT_MODES)[number];
export const SCHEMA_VERSION = 1;
export const MAX_LINES_PER_ORDER = 5;

/**
 * Largest values the lakehouse columns hold (DOMAIN.md's types), in the validator's units: `quantity` INT,
 * `unit_price` DECIMAL(10,2), `line_amount` and `order_total` DECIMAL(12,2) (paisa). Larger values go to
 * quarantine under rule `range` instead of failing the batch's write.
 */
export const MAX_QUANTITY_INT32 = 2_147_483_647;
export const MAX_PRICE_PAISA = 9_999_999_999;
export const MAX_AMOUNT_PAISA = 999_999_999_999;

/** A validated order with exact money, ready to become silver rows. */
export interface ValidOrder {
  orderId: string;
  /** Event time in epoch ms (floored): windows, watermark and progress use it. */
  eventTimeMs: number;
  /** The exact event time in epoch µs, as silver stores it (schema version 0 carries microseconds). */
  eventTimeMicros: number;
  /** 1, or 0 for the chain's original events (no schema_version, Python-printed naive UTC timestamp). */
  schemaVersion: 0 | 1;
  branch: string;
  /** Null for schema version 0 events, which have no terminal. */
  terminalId: string | null;
  payment: PaymentMode;
  totalPaisa: Paisa;
  lines: ValidLine[];
}

export interface ValidLine {
  lineNo: number;
  itemId: string;
  itemName: string;
  category: string;
  pricePaisa: Paisa;
  quantity: number;
  amountPaisa: Paisa;
}

/**
 * Contract rules: every quarantine reason starts with one of these names, so a reason can be grouped and
 * traced to the rule it broke. `malformed` faults break `not_json`; `invalid` faults break one of the rest
 * except `utf8` and `range`, which the simulator does not inject.
 */
export const CONTRACT_RULES = [
  'not_json',
  'not_object',
  'schema_version',
  'order_id',
  'timestamp',
  'branch',
  'terminal_id',
  'lines',
  'item',
  'quantity',
  'price',
  'amount',
  'total',
  'currency',
  'payment',
  /** The message bytes are not valid UTF-8, or a string escapes a lone surrogate (bronze keeps the bytes). */
  'utf8',
  /** A value the lakehouse types cannot hold: INT quantity, DECIMAL money, TIMESTAMP / window event time. */
  'range',
] as const;
export type ContractRule = (typeof CONTRACT_RULES)[number];

export type Validation = { ok: true; order: ValidOrder } | { ok: false; rule: ContractRule; reason: string };

function fail(rule: ContractRule, detail: string): Validation {
  return { ok: false, rule, reason: `${rule}: ${detail}` };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The shared constant equal to `value`, if it is a payment mode: a loop of `===`, no `includes` per order. */
function paymentModeOf(value: unknown): PaymentMode | undefined {
  for (let i = 0; i < PAYMENT_MODES.length; i++) {
    const mode = PAYMENT_MODES[i];
    if (mode === value) return mode;
  }
  return undefined;
}

/** A schema version 0 timestamp: Python's naive `str(datetime)`, a space where ISO has its `T`. */
function looksLikeVersion0Time(value: unknown): boolean {
  return typeof value === 'string' && value.length > 10 && value.charCodeAt(10) === 0x20;
}

/** A lone UTF-16 surrogate (JSON allows escaping one, "\\ud800"; UTF-8 cannot encode it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** String.prototype.isWellFormed (ES2024), which the compile target lacks. */
function isWellFormedText(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

/**
 * Validates one raw message as it arrived (bronze's exact bytes): bytes that are not valid UTF-8 break rule
 * `utf8` (never decoded with U+FFFD substitutes), the rest is `validateOrderText`.
 */
export function validateOrderBytes(bytes: Uint8Array, catalog: Catalog): Validation {
  if (!isUtf8(bytes)) return fail('utf8', 'value is not valid UTF-8');
  return validateOrderText(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'),
    catalog,
  );
}

/** Parses and validates one raw message against the event contract and the catalog. Pure; never throws. */
export function validateOrderText(text: string, catalog: Catalog): Validation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('not_json', 'value is not valid JSON');
  }
  if (!isRecord(parsed)) return fail('not_object', 'value is JSON but not an object');
  // Money and quantities are judged from their literals as written, never from the parsed doubles.
  return validateOrderValue(parsed, catalog, text);
}

/** The rule broken by a money literal, if any: more than 2 decimals, or more than the column holds. */
function moneyProblem(paisa: number, max: number): 'inexact' | 'range' | undefined {
  if (Number.isNaN(paisa)) return 'inexact';
  if (paisa === TOO_LARGE || Math.abs(paisa) > max) return 'range';
  return undefined;
}

/**
 * Validates a parsed message against the text it was parsed from: money and quantities are read from their
 * literals as written; the parsed numbers alone cannot tell `185.0000001` from `185`.
 */
export function validateOrderValue(value: unknown, catalog: Catalog, text: string): Validation {
  if (!isRecord(value)) return fail('not_object', 'value is JSON but not an object');
  const version = value['schema_version'];
  if (version !== undefined && version !== SCHEMA_VERSION) {
    return fail('schema_version', `unsupported schema_version ${JSON.stringify(version)}`);
  }
  // The chain's original events (DOMAIN.md "Schema version 0") carry no schema_version and a Python-printed
  // timestamp; anything else without schema_version is judged as version 1.
  const v0 = version === undefined && looksLikeVersion0Time(value['timestamp']);
  const orderId = value['order_id'];
  if (typeof orderId !== 'string' || orderId.length === 0 || orderId.length > 64) {
    return fail('order_id', 'order_id must be a non-empty string of at most 64 characters');
  }
  if (!isWellFormedText(orderId)) return fail('utf8', 'order_id escapes a lone surrogate');
  const eventTimeMicros = parseEventTimeMicros(value['timestamp'], v0 ? 'python' : 'iso');
  if (eventTimeMicros === undefined) {
    return fail(
      'timestamp',
      v0
        ? 'a timestamp without schema_version must be naive UTC like 2026-01-10 07:39:04.123456'
        : 'timestamp must be ISO-8601 UTC like 2026-11-26T02:15:04.512Z',
    );
  }
  if (eventTimeMicros === OUT_OF_RANGE) {
    return fail(
      'range',
      `timestamp ${JSON.stringify(value['timestamp'])} is outside what the lakehouse holds (${formatEventTime(MIN_EVENT_TIME_MS)} ≤ t < ${formatEventTime(MAX_EVENT_TIME_MS)})`,
    );
  }
  const branch = value['branch'];
  if (typeof branch !== 'string') return fail('branch', 'branch must be a string');
  const knownBranch = catalog.branchByName.get(branch);
  if (knownBranch === undefined) return fail('branch', `unknown branch ${JSON.stringify(branch)}`);
  const rawTerminal = value['terminal_id'];
  let terminalId: string | null = null;
  if (!v0 || rawTerminal !== undefined) {
    if (typeof rawTerminal !== 'string' || rawTerminal.length === 0) {
      return fail('terminal_id', 'terminal_id must be a non-empty string');
    }
    if (!isWellFormedText(rawTerminal)) return fail('utf8', 'terminal_id escapes a lone surrogate');
    terminalId = rawTerminal;
  }
  const currency = value['currency'];
  if (currency !== 'NPR' && !(v0 && currency === undefined))
    return fail('currency', 'currency must be "NPR"');
  const payment = paymentModeOf(value['mode_of_payment']);
  if (payment === undefined) {
    return fail('payment', `mode_of_payment must be one of ${PAYMENT_MODES.join(', ')}`);
  }
  const details = value['order_details'];
  if (!Array.isArray(details) || details.length === 0)
    return fail('lines', 'order_details must be a non-empty array');
  if (details.length > MAX_LINES_PER_ORDER) {
    return fail('lines', `order_details has ${details.length} lines; at most ${MAX_LINES_PER_ORDER}`);
  }
  const count = details.length;
  // Plainly written numbers (nearly every message) are exact from their parsed values; others from the text.
  const literals: OrderLiterals | undefined = UNPLAIN_NUMBER.test(text) ? scanOrderLiterals(text) : undefined;
  const lines: ValidLine[] = [];
  let sum = 0;
  for (let i = 0; i < count; i++) {
    const line: unknown = details[i];
    if (!isRecord(line)) return fail('lines', `order_details[${i}] is not an object`);
    const itemId = line['item_id'];
    if (typeof itemId !== 'string') return fail('item', `order_details[${i}].item_id must be a string`);
    const item = catalog.itemById.get(itemId);
    if (!item) return fail('item', `order_details[${i}]: unknown item ${JSON.stringify(itemId)}`);
    // At most MAX_LINES_PER_ORDER lines: a linear scan of the earlier lines beats allocating a Set per order.
    for (let j = 0; j < i; j++) {
      if (lines[j]!.itemId === itemId)
        return fail('item', `order_details[${i}]: item ${itemId} appears twice`);
    }
    const itemName = line['item_name'];
    const rawCategory = line['category'];
    // Version 0 lines have no category: the catalog's.
    const category = v0 && rawCategory === undefined ? item.category : rawCategory;
    if (typeof itemName !== 'string' || typeof category !== 'string') {
      return fail('item', `order_details[${i}]: item_name and category must be strings`);
    }
    // The catalog's own strings are well formed: only a name or category the event brings is checked.
    if (
      (itemName !== item.name && !isWellFormedText(itemName)) ||
      (category !== item.category && !isWellFormedText(category))
    ) {
      return fail('utf8', `order_details[${i}]: item_name or category escapes a lone surrogate`);
    }
    const quantity = line['quantity'];
    if (
      typeof quantity !== 'number' ||
      (literals !== undefined && literals.quantityIsInteger[i] !== 1) ||
      !Number.isInteger(quantity) ||
      quantity < 1
    ) {
      return fail('quantity', `order_details[${i}].quantity must be a positive integer`);
    }
    if (quantity > MAX_QUANTITY_INT32) {
      return fail(
        'range',
        `order_details[${i}].quantity ${quantity} does not fit INT (at most ${MAX_QUANTITY_INT32})`,
      );
    }
    const pricePaisa = literals ? literals.price[i]! : paisaFromPlainValue(line['price']);
    const priceProblem =
      typeof line['price'] === 'number' ? moneyProblem(pricePaisa, MAX_PRICE_PAISA) : 'inexact';
    if (priceProblem === 'range') {
      return fail('range', `order_details[${i}].price does not fit DECIMAL(10,2)`);
    }
    if (priceProblem === 'inexact' || pricePaisa <= 0) {
      return fail('price', `order_details[${i}].price must be a positive amount with at most 2 decimals`);
    }
    const amountPaisa = literals ? literals.amount[i]! : paisaFromPlainValue(line['amount']);
    const amountProblem =
      typeof line['amount'] === 'number' ? moneyProblem(amountPaisa, MAX_AMOUNT_PAISA) : 'inexact';
    if (amountProblem === 'range') {
      return fail('range', `order_details[${i}].amount does not fit DECIMAL(12,2)`);
    }
    if (amountProblem === 'inexact' || amountPaisa !== pricePaisa * quantity) {
      return fail('amount', `order_details[${i}].amount must equal price × quantity`);
    }
    sum += amountPaisa;
    // Equal strings, but the catalog's are shared and long-lived: a batch of orders kept for silver then
    // holds far fewer young strings for the garbage collector to copy.
    lines.push({
      lineNo: i + 1,
      itemId: item.id,
      itemName: itemName === item.name ? item.name : itemName,
      category: category === item.category ? item.category : category,
      pricePaisa,
      quantity,
      amountPaisa,
    });
  }
  const totalPaisa = literals ? literals.total : paisaFromPlainValue(value['total_order_amount']);
  const totalProblem =
    typeof value['total_order_amount'] === 'number' ? moneyProblem(totalPaisa, MAX_AMOUNT_PAISA) : 'inexact';
  if (totalProblem === 'range') return fail('range', 'total_order_amount does not fit DECIMAL(12,2)');
  if (totalProblem === 'inexact' || totalPaisa !== sum) {
    return fail('total', 'total_order_amount must equal the sum of line amounts');
  }
  if (sum > MAX_AMOUNT_PAISA) return fail('range', 'the sum of line amounts does not fit DECIMAL(12,2)');
  return {
    ok: true,
    order: {
      orderId,
      eventTimeMs: Math.floor(eventTimeMicros / 1000),
      eventTimeMicros,
      schemaVersion: v0 ? 0 : 1,
      branch: knownBranch.name,
      terminalId,
      payment,
      totalPaisa,
      lines,
    },
  };
}
