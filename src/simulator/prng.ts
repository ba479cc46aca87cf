/**
 * The simulator's own seeded randomness: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator,
 * PractRand-clean, 32-bit arithmetic only so it is fast in JavaScript) seeded through a splitmix32-style
 * mixer. No dependency and no platform randomness: the same seed gives the same numbers everywhere.
 */

/** Mixes a 32-bit value into a well-distributed 32-bit value (splitmix32 / murmur3 finaliser). */
export function mix32(value: number): number {
  let z = (value + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** FNV-1a over UTF-16 code units: a stable 32-bit id for a name (branch names seed their streams). */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    h ^= name.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Combines a seed with stream coordinates into one 32-bit stream key. */
export function streamKey(seed: number, ...parts: readonly number[]): number {
  // The seed is up to 2^53; fold its high bits in so seeds differing only above 2^32 still differ.
  let h = mix32((seed >>> 0) ^ mix32(Math.floor(seed / 0x1_0000_0000)));
  for (const part of parts) h = mix32(h ^ (part >>> 0));
  return h;
}

const U32 = 0x1_0000_0000;

/** One independent random stream. */
export class Sfc32 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(key: number) {
    this.a = mix32(key);
    this.b = mix32(key ^ 0x6a09e667);
    this.c = mix32(key ^ 0xbb67ae85);
    this.d = 1;
    // The first outputs of a freshly seeded sfc32 are correlated with the seed; discard them.
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / U32;
  }

  /** A uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An exponentially distributed value with the given mean (inverse transform; never Infinity). */
  exponential(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
}

/**
 * Walker's alias table: draws an index with probability proportional to its weight in O(1) from one
 * uniform number, so weighted choices cost the same for 5 or 500 options.
 */
export class AliasTable {
  private readonly prob: Float64Array;
  private readonly alias: Int32Array;
  readonly size: number;

  constructor(weights: readonly number[]) {
    const n = weights.length;
    if (n === 0) throw new RangeError('an alias table needs at least one weight');
    const total = weights.reduce((s, w) => s + w, 0);
    if (!(total > 0)) throw new RangeError('alias table weights must have a positive sum');
    this.size = n;
    this.prob = new Float64Array(n);
    this.alias = new Int32Array(n);
    const scaled = weights.map((w) => (w * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.prob[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of [...small, ...large]) {
      this.prob[i] = 1;
      this.alias[i] = i;
    }
  }

  /** Picks an index using one uniform number from `rng`. */
  pick(rng: Sfc32): number {
    const x = rng.next() * this.size;
    const i = Math.floor(x);
    return x - i < this.prob[i]! ? i : this.alias[i]!;
  }
}
