import {
  DuckDBDecimalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampTZValue,
  DuckDBTimestampValue,
  type DuckDBValue,
} from '@duckdb/node-api';

/**
 * Converts a DuckDB value to a JSON-safe one, deliberately: DECIMAL keeps its exact text ("185.00"),
 * TIMESTAMP becomes ISO-8601 UTC, BIGINT becomes a number only when it is a safe integer (a string
 * otherwise), and anything else structured is rendered as DuckDB prints it.
 */
export function toJsonSafe(value: DuckDBValue): unknown {
  if (value === null) return null;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value : String(value);
    case 'bigint':
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value.toString();
    default:
      break;
  }
  if (value instanceof DuckDBDecimalValue) return value.toString();
  if (value instanceof DuckDBTimestampValue || value instanceof DuckDBTimestampTZValue) {
    return isoFromMicros(value.micros);
  }
  if (value instanceof DuckDBTimestampMillisecondsValue) return isoFromMicros(value.millis * 1000n);
  if (value instanceof DuckDBTimestampSecondsValue) return isoFromMicros(value.seconds * 1_000_000n);
  if (value instanceof DuckDBTimestampNanosecondsValue) return isoFromMicros(value.nanos / 1000n);
  return value.toString();
}

function isoFromMicros(micros: bigint): string {
  const ms = Number(micros / 1000n);
  // ±infinity timestamps fall outside what Date can show.
  return Number.isFinite(ms) && Math.abs(ms) <= 8.64e15 ? new Date(ms).toISOString() : micros.toString();
}

/** Epoch ms as a DuckDB TIMESTAMP (microseconds). */
export function timestampFromMs(ms: number): DuckDBTimestampValue {
  return new DuckDBTimestampValue(BigInt(Math.trunc(ms)) * 1000n);
}

/** A BIGINT read back from DuckDB, as a number; refuses values a number cannot hold exactly. */
export function safeNumber(value: DuckDBValue, what: string): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new RangeError(`${what} ${value} is beyond exact JS numbers`);
    return n;
  }
  throw new TypeError(`${what} is not a number: ${String(value)}`);
}

/**
 * DECIMAL(…, 2) text for integer paisa — the hot path of the silver writer, so it avoids BigInt: integer
 * division and remainder of a safe integer are exact. Recent values are memoised (prices repeat).
 */
const decimalMemo = new Map<number, string>();
export function decimalText(paisa: number): string {
  let text = decimalMemo.get(paisa);
  if (text !== undefined) return text;
  if (!Number.isSafeInteger(paisa)) throw new RangeError(`${paisa} paisa is not a safe integer`);
  const abs = Math.abs(paisa);
  const frac = abs % 100;
  text = `${paisa < 0 ? '-' : ''}${(abs - frac) / 100}.${frac < 10 ? '0' : ''}${frac}`;
  if (decimalMemo.size > 100_000) decimalMemo.clear();
  decimalMemo.set(paisa, text);
  return text;
}
