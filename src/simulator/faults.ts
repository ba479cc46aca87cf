import type { Catalog } from '../domain/catalog.js';
import { paisaToJsonNumber } from '../domain/money.js';
import { CONTRACT_RULES, PAYMENT_MODES, type ContractRule } from '../domain/order-event.js';
import type { OrderEncoder, OrderParts } from './order-encoder.js';
import type { Sfc32 } from './prng.js';

/**
 * Builders for the faults of DOMAIN.md that change what is sent. `late`, `very_late` and `duplicate` are
 * timing faults handled by the branch stream; here are the ones that change bytes: `invalid` (JSON that
 * breaks exactly one contract rule), `malformed` (not JSON at all) and `oversize` (above the size limit).
 */

/**
 * The contract rules an `invalid` fault can break: every rule of order-event.ts but `not_json` (malformed
 * faults), `utf8` and `range` (added later; left out so a seed keeps giving byte-identical streams).
 */
export type InvalidRule = Exclude<ContractRule, 'not_json' | 'utf8' | 'range'>;
export const INVALID_RULES: readonly InvalidRule[] = CONTRACT_RULES.filter(
  (rule): rule is InvalidRule => rule !== 'not_json' && rule !== 'utf8' && rule !== 'range',
);

export const MALFORMED_VARIANTS = ['truncated', 'binary', 'healthcheck'] as const;
export type MalformedVariant = (typeof MALFORMED_VARIANTS)[number];

type Field = [key: string, rawJson: string];

function serialise(fields: readonly Field[]): string {
  let out = '{';
  for (let i = 0; i < fields.length; i++) {
    const [k, v] = fields[i]!;
    out += `${i > 0 ? ',' : ''}"${k}":${v}`;
  }
  return `${out}}`;
}

function without(fields: Field[], key: string): Field[] {
  return fields.filter(([k]) => k !== key);
}

function replace(fields: Field[], key: string, raw: string): Field[] {
  return fields.map(([k, v]) => [k, k === key ? raw : v]);
}

export interface InvalidEvent {
  text: string;
  rule: InvalidRule;
  /** The order id the broken event carries, or undefined when the broken rule is the id itself. */
  orderId: string | undefined;
}

/**
 * Builds a JSON event that breaks exactly `rule` and nothing else (money stays consistent elsewhere: when
 * an amount is wrong, the total still equals the sum of the amounts as sent).
 */
export function buildInvalidEvent(
  parts: OrderParts,
  catalog: Catalog,
  encoder: OrderEncoder,
  rule: InvalidRule,
  rng: Sfc32,
): InvalidEvent {
  const variant = rng.below(2);
  const branch = catalog.branches[parts.branchIndex]!;
  const lines: Field[][] = [];
  const amounts: number[] = [];
  for (let i = 0; i < parts.lineCount; i++) {
    const item = catalog.items[parts.itemIndex[i]!]!;
    const q = parts.quantity[i]!;
    amounts.push(item.pricePaisa * q);
    lines.push([
      ['item_id', JSON.stringify(item.id)],
      ['item_name', JSON.stringify(item.name)],
      ['category', JSON.stringify(item.category)],
      ['price', paisaToJsonNumber(item.pricePaisa)],
      ['quantity', String(q)],
      ['amount', paisaToJsonNumber(item.pricePaisa * q)],
    ]);
  }
  const k = rng.below(parts.lineCount);
  let total = amounts.reduce((s, a) => s + a, 0);
  let orderId: string | undefined = parts.orderId;
  const detailsOf = (ls: Field[][]): string => `[${ls.map(serialise).join(',')}]`;

  let fields: Field[] = [
    ['schema_version', '1'],
    ['order_id', JSON.stringify(parts.orderId)],
    ['timestamp', JSON.stringify(encoder.formatTime(parts.eventMs))],
    ['branch', JSON.stringify(branch.name)],
    ['terminal_id', JSON.stringify(encoder.terminalIds[parts.branchIndex]![parts.terminalIndex]!)],
    ['order_details', ''],
    ['total_order_amount', ''],
    ['currency', '"NPR"'],
    ['mode_of_payment', JSON.stringify(PAYMENT_MODES[parts.payment]!)],
  ];
  switch (rule) {
    case 'not_object':
    case 'lines':
    case 'total':
      break;
    case 'schema_version':
      fields = replace(fields, 'schema_version', variant === 0 ? '2' : '"1"');
      break;
    case 'order_id':
      orderId = undefined;
      fields = variant === 0 ? without(fields, 'order_id') : replace(fields, 'order_id', '4711');
      break;
    case 'timestamp': {
      const iso = encoder.formatTime(parts.eventMs);
      fields =
        variant === 0
          ? without(fields, 'timestamp')
          : replace(fields, 'timestamp', JSON.stringify(`${iso.slice(0, 10)} ${iso.slice(11, 19)}`));
      break;
    }
    case 'branch':
      fields =
        variant === 0 ? without(fields, 'branch') : replace(fields, 'branch', '"Himalayan Java Moon Base"');
      break;
    case 'terminal_id':
      fields = replace(fields, 'terminal_id', variant === 0 ? '""' : String(parts.terminalIndex + 1));
      break;
    case 'item':
      lines[k] = replace(lines[k]!, 'item_id', variant === 0 ? '"XXX-0"' : '42');
      break;
    case 'quantity':
      if (variant === 0) {
        lines[k] = replace(lines[k]!, 'quantity', JSON.stringify(String(parts.quantity[k]!)));
      } else {
        // Zero units at zero amount: only the quantity rule is broken, amounts and total still add up.
        lines[k] = replace(replace(lines[k]!, 'quantity', '0'), 'amount', '0');
        total -= amounts[k]!;
      }
      break;
    case 'price':
      lines[k] = replace(
        lines[k]!,
        'price',
        JSON.stringify(paisaToJsonNumber(catalog.items[parts.itemIndex[k]!]!.pricePaisa)),
      );
      break;
    case 'amount':
      lines[k] = replace(lines[k]!, 'amount', paisaToJsonNumber(amounts[k]! + 100));
      total += 100;
      break;
    case 'currency':
      fields = variant === 0 ? without(fields, 'currency') : replace(fields, 'currency', '"USD"');
      break;
    case 'payment':
      fields =
        variant === 0 ? without(fields, 'mode_of_payment') : replace(fields, 'mode_of_payment', '"crypto"');
      break;
  }
  const totalRaw =
    rule === 'total'
      ? variant === 0
        ? paisaToJsonNumber(total + 100)
        : JSON.stringify(paisaToJsonNumber(total))
      : paisaToJsonNumber(total);
  fields = replace(fields, 'total_order_amount', totalRaw);
  if (rule === 'lines') {
    fields = variant === 0 ? without(fields, 'order_details') : replace(fields, 'order_details', '[]');
  } else {
    fields = replace(fields, 'order_details', detailsOf(lines));
  }
  const text = rule === 'not_object' ? `[${serialise(fields)}]` : serialise(fields);
  return { text, rule, orderId };
}

/** Bytes that are not JSON: a truncated order, binary noise (never a newline byte), or a `healthcheck` ping. */
export function buildMalformed(
  validJson: string,
  rng: Sfc32,
): { value: string | Uint8Array; variant: MalformedVariant } {
  const variant = MALFORMED_VARIANTS[rng.below(MALFORMED_VARIANTS.length)]!;
  switch (variant) {
    case 'truncated': {
      // A strict prefix of an object never closes it, so it can never parse.
      const cut = 1 + Math.floor(validJson.length * (0.2 + 0.6 * rng.next()));
      return { value: validJson.slice(0, cut), variant };
    }
    case 'binary': {
      const bytes = new Uint8Array(16 + rng.below(48));
      // High bytes only: invalid UTF-8 starts, and never 0x0A/0x0D, so NDJSON framing survives.
      for (let i = 0; i < bytes.length; i++) bytes[i] = 0x80 | (rng.nextU32() & 0x7f);
      return { value: bytes, variant };
    }
    case 'healthcheck':
      return { value: 'healthcheck', variant };
  }
}

let padCache = '';

/** A valid order padded past `maxBytes` with a filler field: the producer must refuse it before any sink. */
export function buildOversize(validJson: string, maxBytes: number, rng: Sfc32): string {
  const target = maxBytes + 1 + rng.below(1024);
  const padLength = Math.max(0, target - validJson.length - 13);
  if (padCache.length < padLength) padCache = 'x'.repeat(padLength + 1024);
  return `${validJson.slice(0, -1)},"padding":"${padCache.slice(0, padLength)}"}`;
}
