import type { Catalog } from '../domain/catalog.js';
import { paisaToJsonNumber, type Paisa } from '../domain/money.js';
import { PAYMENT_MODES, SCHEMA_VERSION, type PaymentMode } from '../domain/order-event.js';

/**
 * Serialises orders to their wire form (DOMAIN.md, schema_version 1) by concatenating precomputed JSON
 * fragments: every (item, quantity) line, every terminal's branch fields and every payment tail is built
 * once, so an order costs a handful of string concatenations. Field order is fixed, so the same order
 * always gives the same bytes.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));
const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));
const PAD3 = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const DAY_MS = 86_400_000;

/** Most units of one item in one order (DOMAIN.md: quantity 1–4). */
export const MAX_QUANTITY = 4;

/** Formats four 32-bit words as a version-4-shaped UUID (the randomness is ours, not crypto's). */
export function formatUuid(w0: number, w1: number, w2: number, w3: number): string {
  const b6 = ((w1 >>> 8) & 0x0f) | 0x40; // version 4
  const b8 = ((w2 >>> 24) & 0x3f) | 0x80; // RFC 4122 variant
  return (
    HEX[w0 >>> 24]! +
    HEX[(w0 >>> 16) & 0xff]! +
    HEX[(w0 >>> 8) & 0xff]! +
    HEX[w0 & 0xff]! +
    '-' +
    HEX[w1 >>> 24]! +
    HEX[(w1 >>> 16) & 0xff]! +
    '-' +
    HEX[b6]! +
    HEX[w1 & 0xff]! +
    '-' +
    HEX[b8]! +
    HEX[(w2 >>> 16) & 0xff]! +
    '-' +
    HEX[(w2 >>> 8) & 0xff]! +
    HEX[w2 & 0xff]! +
    HEX[w3 >>> 24]! +
    HEX[(w3 >>> 16) & 0xff]! +
    HEX[(w3 >>> 8) & 0xff]! +
    HEX[w3 & 0xff]!
  );
}

/**
 * `Date.toISOString()` without allocating a Date per call: the date part is cached per UTC day. The `python`
 * form is schema version 0's: a naive UTC datetime as Python's `str()` prints it (`2026-01-10 07:39:04.123000`,
 * microseconds, or no fraction at all on a whole second).
 */
export class TimestampFormatter {
  private dayStart = Number.NaN;
  private dayPrefix = '';

  constructor(private readonly form: 'iso' | 'python' = 'iso') {}

  format(ms: number): string {
    let offset = ms - this.dayStart;
    if (!(offset >= 0 && offset < DAY_MS)) {
      this.dayStart = ms - (((ms % DAY_MS) + DAY_MS) % DAY_MS);
      const date = new Date(this.dayStart).toISOString().slice(0, 10);
      this.dayPrefix = this.form === 'iso' ? `${date}T` : `${date} `;
      offset = ms - this.dayStart;
    }
    const h = Math.floor(offset / 3_600_000);
    const m = Math.floor(offset / 60_000) % 60;
    const s = Math.floor(offset / 1000) % 60;
    const millis = offset % 1000;
    if (this.form === 'python') {
      const clock = `${this.dayPrefix}${PAD2[h]!}:${PAD2[m]!}:${PAD2[s]!}`;
      return millis === 0 ? clock : `${clock}.${PAD3[millis]!}000`;
    }
    return `${this.dayPrefix}${PAD2[h]!}:${PAD2[m]!}:${PAD2[s]!}.${PAD3[millis]!}Z`;
  }
}

/** Which wire form the encoder writes: 1 (DOMAIN.md) or 0 (the chain's original simulator's). */
export type WireSchemaVersion = 0 | 1;

/** The parts of one order the encoder needs; arrays are reused by the caller (only the first `lineCount` count). */
export interface OrderParts {
  orderId: string;
  eventMs: number;
  branchIndex: number;
  terminalIndex: number;
  lineCount: number;
  itemIndex: Int32Array;
  quantity: Int32Array;
  totalPaisa: Paisa;
  payment: number;
}

export class OrderEncoder {
  /** `lineJson[item * MAX_QUANTITY + quantity - 1]` is the complete JSON of that line. */
  private readonly lineJson: string[];
  /** `terminalJson[branch][terminal]`: `","branch":…,"terminal_id":…,"order_details":[` */
  private readonly terminalJson: string[][];
  private readonly paymentJson: string[];
  private readonly time = new TimestampFormatter();
  /** The event's own timestamp form (ISO for v1, Python's for v0); `formatTime` stays ISO for faults. */
  private readonly eventTime: TimestampFormatter;
  private readonly head: string;
  /** Per-item price, for totals. */
  readonly pricePaisa: Int32Array;
  readonly terminalIds: string[][];

  constructor(catalog: Catalog, schemaVersion: WireSchemaVersion = 1) {
    const v0 = schemaVersion === 0;
    this.eventTime = v0 ? new TimestampFormatter('python') : this.time;
    // Version 0 has no schema_version, terminal_id, currency or line category (DOMAIN.md).
    this.head = v0 ? '{"order_id":"' : `{"schema_version":${SCHEMA_VERSION},"order_id":"`;
    this.lineJson = [];
    this.pricePaisa = new Int32Array(catalog.items.length);
    for (const item of catalog.items) {
      this.pricePaisa[item.index] = item.pricePaisa;
      const category = v0 ? '' : `"category":${JSON.stringify(item.category)},`;
      const head = `{"item_id":${JSON.stringify(item.id)},"item_name":${JSON.stringify(item.name)},${category}"price":${paisaToJsonNumber(item.pricePaisa)},"quantity":`;
      for (let q = 1; q <= MAX_QUANTITY; q++) {
        this.lineJson[item.index * MAX_QUANTITY + q - 1] =
          `${head}${q},"amount":${paisaToJsonNumber(item.pricePaisa * q)}}`;
      }
    }
    this.terminalIds = catalog.branches.map((b) =>
      Array.from({ length: b.terminals }, (_, t) => `${b.name}-${t + 1}`),
    );
    this.terminalJson = catalog.branches.map((b, bi) =>
      this.terminalIds[bi]!.map((id) =>
        v0
          ? `","branch":${JSON.stringify(b.name)},"order_details":[`
          : `","branch":${JSON.stringify(b.name)},"terminal_id":${JSON.stringify(id)},"order_details":[`,
      ),
    );
    this.paymentJson = PAYMENT_MODES.map((p) =>
      v0
        ? `,"mode_of_payment":${JSON.stringify(p)}}`
        : `,"currency":"NPR","mode_of_payment":${JSON.stringify(p)}}`,
    );
  }

  formatTime(ms: number): string {
    return this.time.format(ms);
  }

  /** The order's exact wire bytes (as a JS string; all catalog text is emitted as JSON-escaped UTF-8). */
  encode(o: OrderParts): string {
    let lines = this.lineJson[o.itemIndex[0]! * MAX_QUANTITY + o.quantity[0]! - 1]!;
    for (let i = 1; i < o.lineCount; i++) {
      lines += ',' + this.lineJson[o.itemIndex[i]! * MAX_QUANTITY + o.quantity[i]! - 1]!;
    }
    return (
      this.head +
      o.orderId +
      '","timestamp":"' +
      this.eventTime.format(o.eventMs) +
      this.terminalJson[o.branchIndex]![o.terminalIndex]! +
      lines +
      '],"total_order_amount":' +
      paisaToJsonNumber(o.totalPaisa) +
      this.paymentJson[o.payment]!
    );
  }
}

export function paymentName(index: number): PaymentMode {
  return PAYMENT_MODES[index]!;
}
