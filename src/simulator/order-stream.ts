import type { Branch, Catalog } from '../domain/catalog.js';
import type { FaultKind } from '../domain/ledger.js';
import { MINUTE_MS } from '../domain/time.js';
import { demandCurve, isOpen, localMinute, nextOpening, type Profile } from './day-curve.js';
import {
  buildInvalidEvent,
  buildMalformed,
  buildOversize,
  INVALID_RULES,
  type InvalidRule,
} from './faults.js';
import {
  formatUuid,
  MAX_QUANTITY,
  OrderEncoder,
  type OrderParts,
  type WireSchemaVersion,
} from './order-encoder.js';
import { AliasTable, hashName, Sfc32, streamKey } from './prng.js';

/**
 * The deterministic event stream. Every branch is an independent generator (its own arrival, fault and
 * per-terminal content streams, seeded from the seed and the branch name), and the global order is a
 * merge by (send time, branch index, the branch's own order). So the output depends only on the seed and
 * the volume settings — never on pace, batching or sharding — and a shard is exactly its branches'
 * subsequence of the whole stream.
 */

/** What a generated message is. Valid orders are `order`, `late`, `very_late`. */
export type MessageKind = 'order' | FaultKind;

/** Probabilities per fault kind, as fractions of orders. */
export type FaultRates = Readonly<Record<FaultKind, number>>;

export interface StreamOptions {
  catalog: Catalog;
  seed: number;
  ordersPerHour: number;
  profile: Profile;
  /** Simulated start, epoch ms. */
  startMs: number;
  /** Stop before the first message sent at or after start + durationMs. */
  durationMs?: number | undefined;
  /** Stop after this many messages (all branches, all kinds, oversize included). */
  maxMessages?: number | undefined;
  faults: FaultRates;
  watermarkDelayMs: number;
  windowDurationMs: number;
  /** Window start offset from the epoch (for the ledger's windows). */
  windowOffsetMs: number;
  maxEventBytes: number;
  /** Wire form of valid orders: 1 (default) or 0, the chain's original events (DOMAIN.md "Schema version 0"). */
  schemaVersion?: WireSchemaVersion;
  /** Emit only branches with `index % count === shard.index`; the others are still simulated (cheaply) so limits match. */
  shard?: { index: number; count: number } | undefined;
}

/** One generated message. The stream reuses this object: copy what you need before calling `advance()`. */
export interface SimMessage {
  /** Simulated time the message is sent (epoch ms). */
  emitMs: number;
  branchIndex: number;
  /** Partition key: the branch name. */
  key: string;
  value: string | Uint8Array;
  kind: MessageKind;
  /** Order id the message carries ('' when it carries none: malformed, or an invalid one without an id). */
  orderId: string;
  /** Event time of the order (for valid orders; the original's for a duplicate). */
  eventMs: number;
  lineCount: number;
  itemIndex: Int32Array;
  quantity: Int32Array;
  totalPaisa: number;
  /** For `invalid`: the contract rule it breaks. */
  invalidRule: InvalidRule | undefined;
}

/** Category popularity for catalogs without item weights: coffee sells most. */
const CATEGORY_WEIGHT: Record<string, number> = {
  hot_beverages: 5,
  iced_coffees: 2.5,
  'alternative drinks': 2,
  sandwich: 1.2,
  salads: 0.8,
  bagels: 1,
  eggs: 0.8,
  breakfast: 1,
};
const LINE_COUNT = new AliasTable([45, 30, 15, 7, 3]);
const QUANTITY = new AliasTable([70, 20, 7, 3]);
const PAYMENT = new AliasTable([45, 25, 30]); // mobile banking, debit card, cash (PAYMENT_MODES order)

/** Lags used for the timing faults, relative to the watermark delay and window. */
const VERY_LATE_EXTRA_MS = 20 * MINUTE_MS;
const VERY_LATE_SPREAD_MS = 30 * MINUTE_MS;
const VERY_LATE_QUIET_MS = 30 * MINUTE_MS;

interface PendingDuplicate {
  emitMs: number;
  value: string;
  orderId: string;
  eventMs: number;
}

/** Shared, read-only model of the run. */
class StreamModel {
  readonly encoder: OrderEncoder;
  readonly items: AliasTable;
  readonly curve: Float64Array;
  readonly totalSize: number;
  readonly faultCut: Float64Array;
  constructor(readonly o: StreamOptions) {
    this.encoder = new OrderEncoder(o.catalog, o.schemaVersion ?? 1);
    this.items = new AliasTable(o.catalog.items.map((i) => i.weight ?? CATEGORY_WEIGHT[i.category] ?? 1));
    this.curve = demandCurve(o.profile);
    this.totalSize = o.catalog.branches.reduce((s, b) => s + b.size, 0);
    // Cumulative thresholds for the kinds that replace an order: late, very_late, malformed, invalid, oversize.
    const f = o.faults;
    let acc = 0;
    this.faultCut = Float64Array.from(
      [f.late, f.very_late, f.malformed, f.invalid, f.oversize],
      (r) => (acc += r),
    );
  }
}

const EXCLUSIVE: readonly MessageKind[] = ['late', 'very_late', 'malformed', 'invalid', 'oversize'];

/** One branch's generator. */
class BranchStream {
  readonly branch: Branch;
  private readonly arrivals: Sfc32;
  private readonly decisions: Sfc32;
  private readonly details: Sfc32;
  private readonly terminals: Sfc32[];
  /** Peak arrival rate, orders per ms. */
  private readonly peakPerMs: number;
  private readonly duplicates: PendingDuplicate[] = [];
  private readonly maxItems: number;

  /** Continuous time of the next arrival (ms), its terminal and its fault decisions. */
  private nextArrival = 0;
  private nextTerminal = 0;
  private nextKind: MessageKind = 'order';
  private nextLagMs = 0;
  private nextDuplicateAfterMs = -1;
  /** When this branch's next message is sent (epoch ms, integer). */
  nextEmitMs = 0;

  constructor(
    private readonly model: StreamModel,
    branch: Branch,
    readonly emitting: boolean,
  ) {
    const o = model.o;
    this.branch = branch;
    const id = hashName(branch.name);
    this.arrivals = new Sfc32(streamKey(o.seed, id, 1));
    this.decisions = new Sfc32(streamKey(o.seed, id, 2));
    this.details = new Sfc32(streamKey(o.seed, id, 3));
    this.terminals = Array.from(
      { length: branch.terminals },
      (_, t) => new Sfc32(streamKey(o.seed, id, 100 + t)),
    );
    this.peakPerMs = (o.ordersPerHour * (branch.size / model.totalSize)) / 3_600_000;
    this.maxItems = Math.min(5, o.catalog.items.length);
    this.nextArrival = o.startMs;
    this.drawArrival();
    this.refreshNextEmit();
  }

  /** Non-homogeneous Poisson arrivals by thinning against the peak rate; closed hours are skipped whole. */
  private drawArrival(): void {
    const { curve } = this.model;
    const b = this.branch;
    let t = this.nextArrival;
    for (;;) {
      if (!isOpen(t, b.opensMinute, b.closesMinute)) t = nextOpening(t, b.opensMinute, b.closesMinute);
      t += this.arrivals.exponential(1 / this.peakPerMs);
      if (!isOpen(t, b.opensMinute, b.closesMinute)) continue;
      if (this.arrivals.next() < curve[localMinute(t)]!) break;
    }
    this.nextArrival = t;
    this.nextTerminal = this.arrivals.below(b.terminals);
    this.decideFaults(Math.floor(t));
  }

  private decideFaults(atMs: number): void {
    const o = this.model.o;
    const cut = this.model.faultCut;
    const u = this.decisions.next();
    let kind: MessageKind = 'order';
    for (let k = 0; k < cut.length; k++) {
      if (u < cut[k]!) {
        kind = EXCLUSIVE[k]!;
        break;
      }
    }
    let lag = 0;
    const b = this.branch;
    if (kind === 'late') {
      lag = 1000 + Math.floor(this.decisions.next() * (o.watermarkDelayMs - 2000));
      // A late sale still happened while the branch was open; otherwise it is sent as a normal order.
      if (!isOpen(atMs - lag, b.opensMinute, b.closesMinute)) kind = 'order';
    } else if (kind === 'very_late') {
      lag =
        o.windowDurationMs +
        o.watermarkDelayMs +
        VERY_LATE_EXTRA_MS +
        Math.floor(this.decisions.next() * VERY_LATE_SPREAD_MS);
      if (atMs < o.startMs + VERY_LATE_QUIET_MS || !isOpen(atMs - lag, b.opensMinute, b.closesMinute))
        kind = 'order';
    }
    this.nextKind = kind;
    this.nextLagMs = kind === 'late' || kind === 'very_late' ? lag : 0;
    const dup = this.decisions.next();
    this.nextDuplicateAfterMs =
      (kind === 'order' || kind === 'late' || kind === 'very_late') && dup < o.faults.duplicate
        ? 500 + Math.floor(this.decisions.next() * (o.watermarkDelayMs - 1000))
        : -1;
  }

  private refreshNextEmit(): void {
    const arrival = Math.floor(this.nextArrival);
    const dup = this.duplicates[0];
    // A duplicate due at the same ms as an arrival goes first: it was scheduled earlier.
    this.nextEmitMs = dup !== undefined && dup.emitMs <= arrival ? dup.emitMs : arrival;
  }

  /** Produces this branch's next message into `out` (content only when `emitting`) and moves on. */
  take(out: SimMessage): void {
    const dup = this.duplicates[0];
    if (dup !== undefined && dup.emitMs === this.nextEmitMs && dup.emitMs <= Math.floor(this.nextArrival)) {
      this.duplicates.shift();
      out.emitMs = dup.emitMs;
      out.kind = 'duplicate';
      out.value = dup.value;
      out.orderId = dup.orderId;
      out.eventMs = dup.eventMs;
      out.lineCount = 0;
      out.invalidRule = undefined;
      out.branchIndex = this.branch.index;
      out.key = this.branch.name;
      this.refreshNextEmit();
      return;
    }
    const emitMs = Math.floor(this.nextArrival);
    out.emitMs = emitMs;
    out.kind = this.nextKind;
    out.branchIndex = this.branch.index;
    out.key = this.branch.name;
    out.eventMs = emitMs - this.nextLagMs;
    out.invalidRule = undefined;
    const duplicateAfter = this.nextDuplicateAfterMs;
    if (this.emitting) this.materialise(out, this.nextTerminal);
    if (duplicateAfter >= 0) this.scheduleDuplicate(emitMs + duplicateAfter, out);
    this.drawArrival();
    this.refreshNextEmit();
  }

  private scheduleDuplicate(emitMs: number, out: SimMessage): void {
    const entry: PendingDuplicate = {
      emitMs,
      value: this.emitting ? (out.value as string) : '',
      orderId: out.orderId,
      eventMs: out.eventMs,
    };
    let i = this.duplicates.length;
    while (i > 0 && this.duplicates[i - 1]!.emitMs > emitMs) i--;
    this.duplicates.splice(i, 0, entry);
  }

  /** Draws the order's content from its terminal's stream and serialises it (or its fault form). */
  private materialise(out: SimMessage, terminal: number): void {
    const rng = this.terminals[terminal]!;
    const model = this.model;
    const prices = model.encoder.pricePaisa;
    const orderId = formatUuid(rng.nextU32(), rng.nextU32(), rng.nextU32(), rng.nextU32());
    const lines = Math.min(LINE_COUNT.pick(rng) + 1, this.maxItems);
    let total = 0;
    for (let i = 0; i < lines; i++) {
      let item: number;
      let distinct: boolean;
      do {
        item = model.items.pick(rng);
        distinct = true;
        for (let j = 0; j < i; j++) if (out.itemIndex[j] === item) distinct = false;
      } while (!distinct);
      const q = QUANTITY.pick(rng) + 1;
      out.itemIndex[i] = item;
      out.quantity[i] = q;
      total += prices[item]! * q;
    }
    out.orderId = orderId;
    out.lineCount = lines;
    out.totalPaisa = total;
    const parts: OrderParts = {
      orderId,
      eventMs: out.eventMs,
      branchIndex: this.branch.index,
      terminalIndex: terminal,
      lineCount: lines,
      itemIndex: out.itemIndex,
      quantity: out.quantity,
      totalPaisa: total,
      payment: PAYMENT.pick(rng),
    };
    const json = model.encoder.encode(parts);
    switch (out.kind) {
      case 'malformed':
        out.value = buildMalformed(json, this.details).value;
        out.orderId = '';
        break;
      case 'invalid': {
        const rule = INVALID_RULES[this.details.below(INVALID_RULES.length)]!;
        const bad = buildInvalidEvent(parts, model.o.catalog, model.encoder, rule, this.details);
        out.value = bad.text;
        out.orderId = bad.orderId ?? '';
        out.invalidRule = rule;
        break;
      }
      case 'oversize':
        out.value = buildOversize(json, model.o.maxEventBytes, this.details);
        break;
      default:
        out.value = json;
    }
  }

  /** Orders per simulated ms this branch aims at, at `ms`. */
  ratePerMs(ms: number): number {
    const b = this.branch;
    return isOpen(ms, b.opensMinute, b.closesMinute)
      ? this.peakPerMs * this.model.curve[localMinute(ms)]!
      : 0;
  }
}

export function newSimMessage(): SimMessage {
  return {
    emitMs: 0,
    branchIndex: 0,
    key: '',
    value: '',
    kind: 'order',
    orderId: '',
    eventMs: 0,
    lineCount: 0,
    itemIndex: new Int32Array(MAX_QUANTITY + 1),
    quantity: new Int32Array(MAX_QUANTITY + 1),
    totalPaisa: 0,
    invalidRule: undefined,
  };
}

/** The merged, globally ordered stream of one run (or one shard of it). */
export class OrderStream {
  private readonly branches: BranchStream[];
  /** Min-heap of branches by (nextEmitMs, index). */
  private readonly heap: BranchStream[];
  private readonly endMs: number;
  private readonly maxMessages: number;
  private readonly scratch = newSimMessage();
  /** Messages generated so far across all branches (the `--orders` count). */
  generatedAll = 0;
  /** The current message (valid after `next()` returned true). */
  readonly current: SimMessage = newSimMessage();

  constructor(options: StreamOptions) {
    if (options.catalog.items.length === 0 || options.catalog.branches.length === 0)
      throw new RangeError('the catalog needs branches and items');
    const model = new StreamModel(options);
    const shard = options.shard;
    this.branches = options.catalog.branches.map(
      (b) => new BranchStream(model, b, shard === undefined || b.index % shard.count === shard.index),
    );
    this.heap = [...this.branches];
    this.heap.sort((a, b) => this.compare(a, b));
    this.endMs = options.durationMs === undefined ? Infinity : options.startMs + options.durationMs;
    this.maxMessages = options.maxMessages ?? Infinity;
  }

  private compare(a: BranchStream, b: BranchStream): number {
    return a.nextEmitMs - b.nextEmitMs || a.branch.index - b.branch.index;
  }

  private less(a: BranchStream, b: BranchStream): boolean {
    return a.nextEmitMs < b.nextEmitMs || (a.nextEmitMs === b.nextEmitMs && a.branch.index < b.branch.index);
  }

  private siftDown(): void {
    const h = this.heap;
    const n = h.length;
    let i = 0;
    const item = h[0]!;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.less(h[r]!, h[l]!) ? r : l;
      if (!this.less(h[c]!, item)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = item;
  }

  /**
   * Simulated send time of this shard's next message, or undefined when the run has ended. Messages of
   * other shards' branches that come first are simulated and counted here (so `maxMessages` cuts at the
   * same place in every shard) but never materialised.
   */
  peekEmitMs(): number | undefined {
    for (;;) {
      const top = this.heap[0]!;
      if (this.generatedAll >= this.maxMessages || top.nextEmitMs >= this.endMs) return undefined;
      if (top.emitting) return top.nextEmitMs;
      this.generatedAll++;
      top.take(this.scratch);
      this.siftDown();
    }
  }

  /** Moves to this shard's next message, into `current`; false when the run has ended. */
  next(): boolean {
    if (this.peekEmitMs() === undefined) return false;
    const top = this.heap[0]!;
    this.generatedAll++;
    top.take(this.current);
    this.siftDown();
    return true;
  }

  /** Orders per simulated second this stream's branches aim at, at `ms` (the day curve × branch sizes). */
  ratePerSecond(ms: number): number {
    let r = 0;
    for (const b of this.branches) if (b.emitting) r += b.ratePerMs(ms);
    return r * 1000;
  }
}
