/**
 * Money is kept as integer paisa (1 NPR = 100 paisa) end to end. Numbers here are always safe integers;
 * conversion from JSON numbers happens once, at the edge, and rejects anything with more than 2 decimals.
 */
export type Paisa = number;

/** Converts a JSON number (NPR, at most 2 decimals) to paisa, or returns undefined if it is not exact money. */
export function paisaFromJsonNumber(value: unknown): Paisa | undefined {
  if (typeof value !== 'number') return undefined;
  // Fast path for whole rupees (most prices): value * 100 is exact whenever it is a safe integer, and the
  // general path below would give the same answer (a difference of 0, then the same safe-integer check).
  if (Number.isInteger(value)) {
    const whole = value * 100;
    return Number.isSafeInteger(whole) ? whole : undefined;
  }
  if (!Number.isFinite(value)) return undefined;
  const scaled = Math.round(value * 100);
  // A JSON number with <= 2 decimals scales to within float noise of an integer; anything else is not money.
  if (Math.abs(scaled - value * 100) > 1e-6 * Math.max(1, Math.abs(value))) return undefined;
  if (!Number.isSafeInteger(scaled)) return undefined;
  return scaled;
}

/** Renders paisa as the shortest exact JSON number in NPR: 18500 → "185", 18550 → "185.5", 18505 → "185.05". */
export function paisaToJsonNumber(paisa: Paisa): string {
  const negative = paisa < 0;
  const abs = Math.abs(paisa);
  const whole = Math.trunc(abs / 100);
  const frac = abs % 100;
  let text: string;
  if (frac === 0) text = String(whole);
  else if (frac % 10 === 0) text = `${whole}.${frac / 10}`;
  else text = `${whole}.${frac < 10 ? '0' : ''}${frac}`;
  return negative ? `-${text}` : text;
}

/** Renders paisa as a fixed 2-decimal string, the DECIMAL text form: 18500 → "185.00". */
export function paisaToDecimalString(paisa: Paisa | bigint): string {
  const big = typeof paisa === 'bigint' ? paisa : BigInt(paisa);
  const negative = big < 0n;
  const abs = negative ? -big : big;
  const whole = abs / 100n;
  const frac = abs % 100n;
  return `${negative ? '-' : ''}${whole}.${frac.toString().padStart(2, '0')}`;
}

/** Parses a DECIMAL text form ("185.00", "185.5", "-3") to paisa. Throws on anything else. */
export function paisaFromDecimalString(text: string): Paisa {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!match) throw new RangeError(`not a 2-decimal amount: ${JSON.stringify(text)}`);
  const [, sign, whole, frac = ''] = match;
  const value = Number(whole) * 100 + Number(frac.padEnd(2, '0'));
  return sign === '-' ? -value : value;
}

/** Human display with thousands separators: 123456789 → "1,234,567.89". */
export function formatNpr(paisa: Paisa | bigint, opts: { decimals?: boolean } = {}): string {
  const text = paisaToDecimalString(paisa);
  const [whole = '0', frac = '00'] = text.replace('-', '').split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sign = text.startsWith('-') ? '-' : '';
  return opts.decimals === false ? `${sign}${grouped}` : `${sign}${grouped}.${frac}`;
}

/** avg = revenue / orders rounded half-up to whole paisa (DOMAIN.md: avg_order_value). */
export function averagePaisa(revenue: Paisa, orders: number): Paisa {
  if (orders <= 0) return 0;
  const q = Math.floor(revenue / orders);
  const r = revenue - q * orders;
  return 2 * r >= orders ? q + 1 : q;
}
