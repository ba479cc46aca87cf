import type { OutgoingMessage, SendReceipt, Sink } from '../backends/types.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { Ledger } from '../domain/ledger.js';
import { describeError } from '../errors.js';
import { LedgerBuilder, type LedgerOrder } from './ledger-builder.js';
import { OrderStream, type MessageKind, type StreamOptions } from './order-stream.js';
import { SendStats } from './send-stats.js';
import type { SimulatorSnapshot, SimulatorStore } from './snapshot-types.js';

export interface SimulationOptions {
  /** What to generate (decides every byte). */
  stream: StreamOptions;
  sink: Sink;
  /** Simulated seconds per real second, or `max`. */
  speed: number | 'max';
  /** @default systemClock */
  clock?: Clock;
  /** Messages per send. @default sink.capabilities.preferredBatchSize */
  batchSize?: number;
  /** Longest a partial batch waits for more messages, in (clock) ms. @default 20 */
  lingerMs?: number;
  /** The resolved config recorded in the ledger (volume settings only, so pace never changes the ledger). */
  ledgerConfig?: Record<string, unknown>;
  /** Snapshots are rebuilt at most this often (clock ms). @default 100 */
  publishIntervalMs?: number;
}

export interface SimulationResult {
  status: 'finished' | 'stopped' | 'failed';
  ledger: Ledger;
  snapshot: SimulatorSnapshot;
  /** Clock time the run took. */
  elapsedMs: number;
  /** Why the run failed (status `failed`). */
  error?: unknown;
}

/** Messages of one send plus what the ledger needs for each, kept until the send is acknowledged. */
class Batch {
  readonly messages: OutgoingMessage[] = [];
  readonly kinds: MessageKind[] = [];
  readonly orderIds: string[] = [];
  /** Index in `messages`, or -1 when the producer rejected it before the sink. */
  readonly sentIndex: number[] = [];
  readonly branch: number[] = [];
  readonly eventMs: number[] = [];
  readonly lineStart: number[] = [];
  readonly lineItems: number[] = [];
  readonly lineQty: number[] = [];
  openedAtMs = 0;

  get size(): number {
    return this.kinds.length;
  }

  clear(): void {
    this.messages.length = 0;
    this.kinds.length = 0;
    this.orderIds.length = 0;
    this.sentIndex.length = 0;
    this.branch.length = 0;
    this.eventMs.length = 0;
    this.lineStart.length = 0;
    this.lineItems.length = 0;
    this.lineQty.length = 0;
  }
}

interface InFlight {
  batch: Batch;
  receipt: Promise<SendReceipt>;
}

const YIELD_EVERY_MS = 15;

/**
 * Runs the generator into a sink: paces messages on the simulated clock (or as fast as possible),
 * batches them (batch size + linger), keeps at most `maxInFlight` sends outstanding (awaiting the oldest
 * first: backpressure), refuses messages above the size limit before any sink, and builds the ledger from
 * acknowledgements only — so an interrupted run's ledger covers exactly what was sent.
 */
export class Simulation implements SimulatorStore {
  private readonly stream: OrderStream;
  private readonly sink: Sink;
  private readonly clock: Clock;
  private readonly speed: number | 'max';
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly maxInFlight: number;
  private readonly maxBytes: number;
  private readonly ledger: LedgerBuilder;
  private readonly stats: SendStats;
  private readonly publishIntervalMs: number;
  private readonly options: SimulationOptions;
  private readonly pool: Batch[] = [];
  private readonly inFlight: InFlight[] = [];
  private readonly scratchOrder: LedgerOrder & { itemIndex: Int32Array; quantity: Int32Array } = {
    branchIndex: 0,
    eventMs: 0,
    lineCount: 0,
    itemIndex: new Int32Array(8),
    quantity: new Int32Array(8),
  };
  private batch = new Batch();
  private realStartMs = 0;
  private lastPublishMs = -Infinity;
  private lastEmitMs: number;
  private failure: unknown;

  constructor(options: SimulationOptions) {
    this.options = options;
    this.stream = new OrderStream(options.stream);
    this.sink = options.sink;
    this.clock = options.clock ?? systemClock;
    this.speed = options.speed;
    const caps = options.sink.capabilities;
    this.batchSize = options.batchSize ?? caps.preferredBatchSize;
    this.lingerMs = options.lingerMs ?? 20;
    this.maxInFlight = Math.max(1, caps.maxInFlight);
    this.maxBytes = Math.min(options.stream.maxEventBytes, caps.maxMessageBytes ?? Infinity);
    this.ledger = new LedgerBuilder(options.stream.catalog, {
      durationMs: options.stream.windowDurationMs,
      slideMs: options.stream.windowDurationMs,
      startOffsetMs: options.stream.windowOffsetMs,
    });
    this.publishIntervalMs = options.publishIntervalMs ?? 100;
    this.lastEmitMs = options.stream.startMs;
    this.stats = new SendStats(options.sink.description, this.clock.now());
  }

  subscribe(listener: () => void): () => void {
    return this.stats.subscribe(listener);
  }

  getSnapshot(): SimulatorSnapshot {
    return this.stats.getSnapshot();
  }

  /** Generates and sends until the stream ends, the signal aborts (Ctrl+C) or a send fails. */
  /** The ledger of what has been acknowledged so far (`complete: false`), for persisting it during a run. */
  ledgerSoFar(): Ledger {
    return this.ledger.build({
      config: this.options.ledgerConfig ?? {},
      seed: this.options.stream.seed,
      complete: false,
    });
  }

  async run(signal?: AbortSignal): Promise<SimulationResult> {
    this.realStartMs = this.clock.now();
    await this.sink.open();
    this.stats.status = 'running';
    this.publish(true);
    let stopped = false;
    try {
      stopped = await this.loop(signal);
      await this.dispatch();
      await this.settleAll();
      if (this.failure === undefined) await this.sink.flush();
    } catch (error) {
      this.fail(error);
      await this.settleAll();
    }
    try {
      await this.sink.close();
    } catch (error) {
      this.fail(error);
    }
    const status = this.failure !== undefined ? 'failed' : stopped ? 'stopped' : 'finished';
    this.stats.status = status;
    this.publish(true);
    const ledger = this.ledger.build({
      config: this.options.ledgerConfig ?? {},
      seed: this.options.stream.seed,
      complete: status === 'finished',
    });
    return {
      status,
      ledger,
      snapshot: this.getSnapshot(),
      elapsedMs: this.clock.now() - this.realStartMs,
      ...(this.failure !== undefined ? { error: this.failure } : {}),
    };
  }

  /** Returns true when stopped by the signal. */
  private async loop(signal: AbortSignal | undefined): Promise<boolean> {
    const stream = this.stream;
    const startMs = this.options.stream.startMs;
    const finite = this.speed !== 'max';
    const msPerSimMs = finite ? 1 / (this.speed as number) : 0;
    let lastYield = performance.now();
    for (;;) {
      if (signal?.aborted) return true;
      if (this.failure !== undefined) return false;
      const emitMs = stream.peekEmitMs();
      if (emitMs === undefined) return false;
      if (finite) {
        const due = this.realStartMs + (emitMs - startMs) * msPerSimMs;
        const now = this.clock.now();
        if (due > now) {
          // Nothing more joins this batch before its linger ends: send it now rather than wait.
          if (this.batch.size > 0 && due >= this.batch.openedAtMs + this.lingerMs) {
            await this.dispatch();
            continue;
          }
          this.publish(false);
          const wake = this.batch.size > 0 ? Math.min(due, this.batch.openedAtMs + this.lingerMs) : due;
          try {
            await this.clock.sleep(Math.max(0, wake - now), signal);
          } catch {
            return true; // aborted while waiting
          }
          continue;
        }
      }
      stream.next();
      this.add();
      if (this.batch.size >= this.batchSize) await this.dispatch();
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Backfilling (or catching up) never waits on a timer: give signals (Ctrl+C) and progress a turn.
        await new Promise<void>((resolve) => setImmediate(resolve));
        lastYield = performance.now();
        this.publish(false);
      }
    }
  }

  /** Copies the stream's current message into the open batch (or refuses it when it is too large). */
  private add(): void {
    const m = this.stream.current;
    const b = this.batch;
    if (b.size === 0) b.openedAtMs = this.clock.now();
    this.stats.generated++;
    this.lastEmitMs = m.emitMs;
    const v = m.value;
    // Character count × 3 bounds the UTF-8 size, so most messages skip the exact byte count.
    const length =
      typeof v === 'string' ? (v.length * 3 <= this.maxBytes ? 0 : Buffer.byteLength(v)) : v.byteLength;
    if (length > this.maxBytes) {
      b.sentIndex.push(-1);
    } else {
      b.sentIndex.push(b.messages.length);
      b.messages.push({ key: m.key, value: v });
    }
    b.kinds.push(m.kind);
    b.orderIds.push(m.orderId);
    b.branch.push(m.branchIndex);
    b.eventMs.push(m.eventMs);
    b.lineStart.push(b.lineItems.length);
    const valid = m.kind === 'order' || m.kind === 'late' || m.kind === 'very_late';
    if (valid) {
      for (let i = 0; i < m.lineCount; i++) {
        b.lineItems.push(m.itemIndex[i]!);
        b.lineQty.push(m.quantity[i]!);
      }
    }
  }

  private async dispatch(): Promise<void> {
    if (this.batch.size === 0) return;
    while (this.inFlight.length >= this.maxInFlight) await this.settleOldest();
    const batch = this.batch;
    this.batch = this.pool.pop() ?? new Batch();
    const receipt =
      batch.messages.length > 0
        ? this.sink.send(batch.messages)
        : Promise.resolve<SendReceipt>({ acked: 0, rejections: [], latencyMs: 0, throttled: 0, retries: 0 });
    // Handled when its turn comes; this only keeps a later send's failure from counting as unhandled meanwhile.
    receipt.catch(() => undefined);
    this.inFlight.push({ batch, receipt });
    this.stats.inFlight = this.inFlight.length;
  }

  private async settleAll(): Promise<void> {
    while (this.inFlight.length > 0) await this.settleOldest();
  }

  private async settleOldest(): Promise<void> {
    const entry = this.inFlight.shift()!;
    const b = entry.batch;
    try {
      const receipt = await entry.receipt;
      this.stats.recordLatency(receipt.latencyMs);
      this.stats.throttled += receipt.throttled;
      const refused =
        receipt.rejections.length > 0 ? new Set(receipt.rejections.map((r) => r.index)) : undefined;
      this.apply(b, refused);
    } catch (error) {
      this.stats.errors += b.messages.length;
      this.fail(error);
      // Messages the producer itself refused were never going to be sent; they still count as rejected.
      for (let i = 0; i < b.size; i++)
        if (b.sentIndex[i] === -1) this.ledger.recordRejected(b.kinds[i]!, b.orderIds[i]!);
      this.stats.rejected = this.ledger.rejected;
    }
    this.stats.inFlight = this.inFlight.length;
    b.clear();
    this.pool.push(b);
    this.publish(false);
  }

  private apply(b: Batch, refused: Set<number> | undefined): void {
    const order = this.scratchOrder;
    for (let i = 0; i < b.size; i++) {
      const kind = b.kinds[i]!;
      const sentIndex = b.sentIndex[i]!;
      if (sentIndex === -1 || refused?.has(sentIndex)) {
        this.ledger.recordRejected(kind, b.orderIds[i]!);
        continue;
      }
      let ledgerOrder: LedgerOrder | undefined;
      if (kind === 'order' || kind === 'late' || kind === 'very_late') {
        const from = b.lineStart[i]!;
        const to = i + 1 < b.size ? b.lineStart[i + 1]! : b.lineItems.length;
        order.branchIndex = b.branch[i]!;
        order.eventMs = b.eventMs[i]!;
        order.lineCount = to - from;
        for (let k = from; k < to; k++) {
          order.itemIndex[k - from] = b.lineItems[k]!;
          order.quantity[k - from] = b.lineQty[k]!;
        }
        ledgerOrder = order;
      }
      this.ledger.recordSent(kind, b.orderIds[i]!, ledgerOrder);
    }
    this.stats.acked = this.ledger.sent;
    this.stats.rejected = this.ledger.rejected;
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    this.stats.lastError = describeError(error).message.replace(/^brewline: /, '');
  }

  private simulatedNow(): number {
    if (this.speed === 'max') return this.lastEmitMs;
    return this.options.stream.startMs + (this.clock.now() - this.realStartMs) * this.speed;
  }

  private publish(force: boolean): void {
    const now = this.clock.now();
    if (!force && now - this.lastPublishMs < this.publishIntervalMs) return;
    this.lastPublishMs = now;
    const simNow = this.simulatedNow();
    const target = this.speed === 'max' ? null : this.stream.ratePerSecond(simNow) * this.speed;
    this.stats.publish(now, simNow, target, this.ledger.orders, this.ledger.faultCounts());
  }
}
