/**
 * Exact money from the JSON text. `JSON.parse` turns `185.0000001` into the double 185.0000001 and
 * `1000000.009` into one that rounds to 1000000.01, so whether a number has at most 2 decimals cannot be
 * decided from the parsed value (Node 20's JSON.parse gives no access to the source text). This module reads
 * the decimal literals as written: one pass over a message that JSON.parse has already accepted, picking the
 * literals of the money and quantity fields by their path, so the validator decides from the text.
 */

/** A literal with more than 2 significant decimals (or not a number at all). */
export const INEXACT = Number.NaN;
/** A literal whose value in paisa has more than 15 digits: beyond every DECIMAL the lakehouse holds. */
export const TOO_LARGE = Number.POSITIVE_INFINITY;

const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COLON = 0x3a;
const COMMA = 0x2c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;

const MAX_PAISA_DIGITS = 15;

/**
 * The exact value in paisa (1/100) of the JSON number literal `text[start, end)`: trailing zeros and an
 * exponent are fine as long as the value itself has at most 2 decimals (`185.100` → 18510, `1e2` → 10000,
 * `1.5e-1` → 15, `-0` → 0). Returns `INEXACT` (NaN) for more decimals (`185.0000001`, `0.30000000000000004`)
 * and `TOO_LARGE` (Infinity) when the paisa value needs more than 15 digits. Negative values come back
 * negative. Assumes a syntactically valid JSON number (JSON.parse has accepted the message).
 */
export function paisaFromLiteral(text: string, start: number, end: number): number {
  let i = start;
  const negative = text.charCodeAt(i) === MINUS;
  if (negative) i++;
  const intStart = i;
  while (i < end && isDigit(text.charCodeAt(i))) i++;
  const intEnd = i;
  let fracStart = i;
  let fracEnd = i;
  if (i < end && text.charCodeAt(i) === DOT) {
    fracStart = ++i;
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    fracEnd = i;
  }
  let exponent = 0;
  if (i < end && (text.charCodeAt(i) === LOWER_E || text.charCodeAt(i) === UPPER_E)) {
    i++;
    let expNegative = false;
    if (text.charCodeAt(i) === MINUS || text.charCodeAt(i) === PLUS)
      expNegative = text.charCodeAt(i++) === MINUS;
    for (; i < end; i++) exponent = Math.min(exponent * 10 + (text.charCodeAt(i) - ZERO), 100_000);
    if (expNegative) exponent = -exponent;
  }
  if (i !== end || intEnd === intStart) return INEXACT;
  const intLength = intEnd - intStart;
  const digitCount = intLength + (fracEnd - fracStart);
  // Digits as one virtual sequence: position p (0-based) has decimal exponent intLength - 1 - p + exponent.
  const digitAt = (p: number): number =>
    text.charCodeAt(p < intLength ? intStart + p : fracStart + p - intLength) - ZERO;
  let first = 0;
  while (first < digitCount && digitAt(first) === 0) first++;
  if (first === digitCount) return 0; // zero, however written (-0, 0.000, 0e5)
  let last = digitCount - 1;
  while (digitAt(last) === 0) last--;
  const lastExponent = intLength - 1 - last + exponent;
  if (lastExponent < -2) return INEXACT;
  const leadExponent = intLength - 1 - first + exponent;
  if (leadExponent + 3 > MAX_PAISA_DIGITS) return TOO_LARGE;
  let value = 0;
  for (let p = first; p <= last; p++) value = value * 10 + digitAt(p);
  value *= 10 ** (lastExponent + 2);
  return negative ? -value : value;
}

/** Whether `text[start, end)` is written as an integer: digits only, no fraction or exponent. */
function isIntegerLiteral(text: string, start: number, end: number): boolean {
  for (let i = text.charCodeAt(start) === MINUS ? start + 1 : start; i < end; i++) {
    if (!isDigit(text.charCodeAt(i))) return false;
  }
  return end > start;
}

function isDigit(code: number): boolean {
  return code >= ZERO && code <= ZERO + 9;
}

/**
 * What the scan found: per order line (in array order) the paisa of `price` and `amount` (NaN when absent
 * or not exact, Infinity when too large) and whether `quantity` was written as an integer; and the
 * total's paisa. Reused between calls: read it before the next scan.
 */
export interface OrderLiterals {
  lines: number;
  readonly price: Float64Array;
  readonly amount: Float64Array;
  readonly quantityIsInteger: Uint8Array;
  total: number;
}

/** Lines tracked; the validator refuses longer orders before it looks at any line. */
const TRACKED_LINES = 16;

const scratch: OrderLiterals = {
  lines: 0,
  price: new Float64Array(TRACKED_LINES),
  amount: new Float64Array(TRACKED_LINES),
  quantityIsInteger: new Uint8Array(TRACKED_LINES),
  total: INEXACT,
};

/** Which field a value belongs to (plain numbers: the scan's hot loop compares them). */
const Key = { Other: 0, OrderDetails: 1, Total: 2, Price: 3, Amount: 4, Quantity: 5 } as const;
type Key = (typeof Key)[keyof typeof Key];

/**
 * A number token after a key that is not plainly written: more than 2 fraction digits, an exponent, or any
 * fraction on a quantity. When a message has none, every money literal is `D`, `D.d` or `D.dd` and the
 * parsed double gives its exact paisa (`Math.round(v × 100)`: the error stays below 0.25 paisa under 10^13),
 * so the validator skips the scan; otherwise `scanOrderLiterals` reads the literals. Digits inside strings
 * (timestamps) never follow `":`, so they do not trigger it; an escaped quote in a string may, which only
 * costs the scan.
 */
export const UNPLAIN_NUMBER = /"\s*:\s*-?\d+(?:\.\d{3,}|\.\d*[eE]|[eE])|"quantity"\s*:\s*-?\d+\./;

/** Paisa of a parsed money value whose literal is plain (see UNPLAIN_NUMBER). */
export function paisaFromPlainValue(value: unknown): number {
  if (typeof value !== 'number') return INEXACT;
  return Math.abs(value) >= 1e13 ? TOO_LARGE : Math.round(value * 100) + 0;
}

/**
 * Scans the text of an order that JSON.parse accepted and records the literals of `total_order_amount` (top
 * level) and of `price`, `amount`, `quantity` in each object of the top-level `order_details` array — the
 * same values JSON.parse kept (for a repeated key, the last one). Other numbers are ignored.
 */
export function scanOrderLiterals(text: string): OrderLiterals {
  const out = scratch;
  out.lines = 0;
  out.total = INEXACT;
  out.price.fill(INEXACT);
  out.amount.fill(INEXACT);
  out.quantityIsInteger.fill(0);
  let depth = 0;
  // The key whose value comes next, and the container kind at depths 1 and 2 that matter.
  let key: Key = Key.Other;
  let detailsDepth2 = false; // depth 2 is the top-level order_details array
  let line = -1;
  const length = text.length;
  // Keys are compared in place unless the message has a backslash at all (then escaped keys are decoded).
  const escapes = text.indexOf('\\') >= 0;
  for (let i = 0; i < length; i++) {
    const c = text.charCodeAt(i);
    if (c === QUOTE) {
      const start = i + 1;
      let close = text.indexOf('"', start);
      while (close > 0 && isEscaped(text, close)) close = text.indexOf('"', close + 1);
      if (close < 0) return out;
      i = close;
      let j = close + 1;
      while (j < length && isSpace(text.charCodeAt(j))) j++;
      if (text.charCodeAt(j) === COLON) {
        key =
          depth === 1
            ? topKey(text, start, close, escapes)
            : depth === 3 && detailsDepth2
              ? lineKey(text, start, close, escapes)
              : Key.Other;
        i = j;
      } else {
        key = Key.Other;
      }
      continue;
    }
    if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
      depth++;
      if (depth === 2) {
        detailsDepth2 = c === OPEN_ARRAY && key === Key.OrderDetails;
        if (detailsDepth2) {
          // A repeated order_details key: JSON.parse keeps the last array, so start over.
          out.lines = 0;
          line = -1;
          out.price.fill(INEXACT);
          out.amount.fill(INEXACT);
          out.quantityIsInteger.fill(0);
        }
      } else if (depth === 3 && detailsDepth2) {
        line++;
        if (c === OPEN_OBJECT && line < TRACKED_LINES) out.lines = line + 1;
      }
      key = Key.Other;
      continue;
    }
    if (c === CLOSE_OBJECT || c === CLOSE_ARRAY) {
      if (depth === 2) detailsDepth2 = false;
      depth--;
      key = Key.Other;
      continue;
    }
    if (c === MINUS || isDigit(c)) {
      let end = i + 1;
      while (end < length && isNumberChar(text.charCodeAt(end))) end++;
      if (key === Key.Total) out.total = paisaFromLiteral(text, i, end);
      else if (line >= 0 && line < TRACKED_LINES && depth === 3) {
        if (key === Key.Price) out.price[line] = paisaFromLiteral(text, i, end);
        else if (key === Key.Amount) out.amount[line] = paisaFromLiteral(text, i, end);
        else if (key === Key.Quantity) out.quantityIsInteger[line] = isIntegerLiteral(text, i, end) ? 1 : 0;
      }
      key = Key.Other;
      i = end - 1;
      continue;
    }
    if (c === COMMA) key = Key.Other;
    // true, false, null, whitespace: nothing to record (a key's value that is not a number stays NaN).
  }
  return out;
}

function isEscaped(text: string, quote: number): boolean {
  let backslashes = 0;
  for (let k = quote - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
  return backslashes % 2 === 1;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isNumberChar(code: number): boolean {
  return (
    isDigit(code) || code === DOT || code === LOWER_E || code === UPPER_E || code === PLUS || code === MINUS
  );
}

function keyText(text: string, start: number, end: number, escapes: boolean): string | undefined {
  // Keys with escapes ("pr\u0069ce") are what JSON.parse decodes them to; plain keys are compared in place.
  if (!escapes) return undefined;
  const backslash = text.indexOf('\\', start);
  return backslash >= 0 && backslash < end
    ? (JSON.parse(text.slice(start - 1, end + 1)) as string)
    : undefined;
}

function equalsAt(text: string, start: number, end: number, name: string): boolean {
  if (end - start !== name.length) return false;
  return text.startsWith(name, start);
}

function topKey(text: string, start: number, end: number, escapes: boolean): Key {
  const decoded = keyText(text, start, end, escapes);
  if (decoded !== undefined)
    return decoded === 'order_details'
      ? Key.OrderDetails
      : decoded === 'total_order_amount'
        ? Key.Total
        : Key.Other;
  if (equalsAt(text, start, end, 'order_details')) return Key.OrderDetails;
  if (equalsAt(text, start, end, 'total_order_amount')) return Key.Total;
  return Key.Other;
}

function lineKey(text: string, start: number, end: number, escapes: boolean): Key {
  const decoded = keyText(text, start, end, escapes);
  const is = (name: string): boolean =>
    decoded !== undefined ? decoded === name : equalsAt(text, start, end, name);
  if (is('price')) return Key.Price;
  if (is('amount')) return Key.Amount;
  if (is('quantity')) return Key.Quantity;
  return Key.Other;
}
