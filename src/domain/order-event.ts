import type { Catalog } from './catalog.js';
import { paisaFromJsonNumber, type Paisa } from './money.js';
import { parseEventTime } from './time.js';

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

/** A validated order with exact money, ready to become silver rows. */
export interface ValidOrder {
  orderId: string;
  eventTimeMs: number;
  branch: string;
  terminalId: string;
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
 * traced to the rule it broke. `malformed` faults break `not_json`; `invalid` faults break one of the rest.
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

/** Parses and validates one raw message against the event contract and the catalog. Pure; never throws. */
export function validateOrderText(text: string, catalog: Catalog): Validation {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return fail('not_json', 'value is not valid JSON');
  }
  return validateOrderValue(parsed, catalog);
}

export function validateOrderValue(value: unknown, catalog: Catalog): Validation {
  if (!isRecord(value)) return fail('not_object', 'value is JSON but not an object');
  const version = value['schema_version'];
  // Events from the chain's original simulator carry no schema_version; they are version 1 by content.
  if (version !== undefined && version !== SCHEMA_VERSION) {
    return fail('schema_version', `unsupported schema_version ${JSON.stringify(version)}`);
  }
  const orderId = value['order_id'];
  if (typeof orderId !== 'string' || orderId.length === 0 || orderId.length > 64) {
    return fail('order_id', 'order_id must be a non-empty string of at most 64 characters');
  }
  const eventTimeMs = parseEventTime(value['timestamp']);
  if (eventTimeMs === undefined) {
    return fail('timestamp', 'timestamp must be ISO-8601 UTC like 2026-11-26T02:15:04.512Z');
  }
  const branch = value['branch'];
  if (typeof branch !== 'string') return fail('branch', 'branch must be a string');
  const knownBranch = catalog.branchByName.get(branch);
  if (knownBranch === undefined) return fail('branch', `unknown branch ${JSON.stringify(branch)}`);
  const terminalId = value['terminal_id'];
  if (typeof terminalId !== 'string' || terminalId.length === 0) {
    return fail('terminal_id', 'terminal_id must be a non-empty string');
  }
  if (value['currency'] !== 'NPR') return fail('currency', 'currency must be "NPR"');
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
    const category = line['category'];
    if (typeof itemName !== 'string' || typeof category !== 'string') {
      return fail('item', `order_details[${i}]: item_name and category must be strings`);
    }
    const quantity = line['quantity'];
    if (typeof quantity !== 'number' || !Number.isSafeInteger(quantity) || quantity < 1) {
      return fail('quantity', `order_details[${i}].quantity must be a positive integer`);
    }
    const pricePaisa = paisaFromJsonNumber(line['price']);
    if (pricePaisa === undefined || pricePaisa <= 0) {
      return fail('price', `order_details[${i}].price must be a positive amount with at most 2 decimals`);
    }
    const amountPaisa = paisaFromJsonNumber(line['amount']);
    if (amountPaisa === undefined || amountPaisa !== pricePaisa * quantity) {
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
  const totalPaisa = paisaFromJsonNumber(value['total_order_amount']);
  if (totalPaisa === undefined || totalPaisa !== sum) {
    return fail('total', 'total_order_amount must equal the sum of line amounts');
  }
  return {
    ok: true,
    order: { orderId, eventTimeMs, branch: knownBranch.name, terminalId, payment, totalPaisa, lines },
  };
}
