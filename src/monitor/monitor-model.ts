import type { Clock } from '../domain/clock.js';
import { describeError } from '../errors.js';
import type { StatusFeed } from './feed-types.js';
import { DEFAULT_THRESHOLDS, type HealthThresholds, type LagObservation } from './health-verdict.js';
import { StatusUnreachableError } from './status-client.js';
import {
  clockOf,
  withLiveness,
  deriveLoad,
  deriveStream,
  type MonitorMode,
  type MonitorSnapshot,
  type MonitorStore,
} from './monitor-snapshot.js';

export interface MonitorModelOptions {
  readonly feed: StatusFeed;
  readonly mode: MonitorMode;
  readonly clock: Clock;
  /** @default 1000 */
  readonly refreshMs?: number;
  /** Observations per partition in the verdict window. @default 10 */
  readonly verdictWindow?: number;
  /** @default 10000 */
  readonly stopAfterMs?: number;
  /** Read gold (SQL over the lakehouse) at all; the Prometheus-only server may skip it. @default true */
  readonly gold?: boolean;
  /** Absolute WARN/ERR thresholds beside the trend rules. @default DEFAULT_THRESHOLDS */
  readonly thresholds?: HealthThresholds;
  /**
   * A last good reading older than this makes the verdict STALE. @default 2 × the refresh interval + 500ms
   * (so a stuck pipeline shows within two refreshes, whatever `+`/`-` set)
   */
  readonly staleAfterMs?: number;
}

/** Refresh intervals the `+`/`-` keys step through. */
export const REFRESH_STEPS_MS = [250, 500, 1000, 2000, 5000, 10_000] as const;

/** Next refresh step up or down from `current` (clamped to the ends). */
export function stepRefresh(current: number, direction: 1 | -1): number {
  if (direction > 0)
    return REFRESH_STEPS_MS.find((s) => s > current) ?? REFRESH_STEPS_MS[REFRESH_STEPS_MS.length - 1]!;
  return [...REFRESH_STEPS_MS].reverse().find((s) => s < current) ?? REFRESH_STEPS_MS[0];
}

/** While paused (or a reading hangs) the model still ticks this often so ages keep counting. */
const TICK_MS = 1000;

/**
 * The one place that reads the pipeline: engine progress, fresh lag, the load generator and gold, through a
 * StatusFeed. It derives health verdicts and rates and exposes an external store (`subscribe` /
 * `getSnapshot`) that the TUI and the headless reporters render. Time comes from the injected Clock.
 */
export class MonitorModel implements MonitorStore {
  private readonly feed: StatusFeed;
  private readonly clock: Clock;
  private readonly window: number;
  private readonly stopAfterMs: number;
  private readonly readGold: boolean;
  private readonly staleAfterMs: number | undefined;
  private readonly thresholds: HealthThresholds;
  private readonly listeners = new Set<() => void>();
  private windows = new Map<number, LagObservation[]>();
  /** State as derived from readings and settings; `snapshot` is it seen at `nowMs` (liveness applied). */
  private base: MonitorSnapshot;
  private snapshot: MonitorSnapshot;
  /** Local clock time of the last good reading (the feed's own clock may differ). */
  private lastGoodAtMs: number | undefined;
  private unreachable = false;
  private inFlight: Promise<void> | undefined;
  private loop: Promise<void> | undefined;
  private abort: AbortController | undefined;
  private wake: AbortController | undefined;

  constructor(options: MonitorModelOptions) {
    this.feed = options.feed;
    this.clock = options.clock;
    this.window = options.verdictWindow ?? 10;
    this.stopAfterMs = options.stopAfterMs ?? 10_000;
    this.readGold = options.gold ?? true;
    this.staleAfterMs = options.staleAfterMs;
    this.thresholds = options.thresholds ?? DEFAULT_THRESHOLDS;
    this.base = {
      mode: options.mode,
      source: '',
      sink: '',
      feed: options.feed.description,
      nowMs: options.clock.now(),
      updatedAtMs: undefined,
      refreshMs: options.refreshMs ?? 1000,
      paused: false,
      branch: null,
      clockMs: undefined,
      clockKind: 'none',
      stream: undefined,
      load: undefined,
      gold: undefined,
      error: undefined,
      readings: 0,
      liveness: 'live',
      thresholds: this.thresholds,
    };
    this.snapshot = this.base;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): MonitorSnapshot => this.snapshot;

  private publish(next: MonitorSnapshot): void {
    this.base = next;
    const staleAfter = this.staleAfterMs ?? 2 * next.refreshMs + 500;
    this.snapshot = withLiveness(next, next.nowMs, this.lastGoodAtMs, this.unreachable, staleAfter);
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * A reading that starts after this call: waits out one already in flight (it may predate what the caller
   * just did, e.g. stopping the engine), then reads. For final summaries.
   */
  async refreshAfterNow(): Promise<void> {
    if (this.inFlight) await this.inFlight.catch(() => undefined);
    await this.refresh();
  }

  /** Takes one reading now (concurrent calls share the one in flight). */
  refresh(): Promise<void> {
    this.inFlight ??= this.read().finally(() => {
      this.inFlight = undefined;
      // The loop plans its next reading from here.
      this.wake?.abort();
    });
    return this.inFlight;
  }

  private async read(): Promise<void> {
    const branch = this.base.branch;
    try {
      const [reading, gold] = await Promise.all([
        this.feed.readStream(),
        this.readGold ? this.feed.readGold(branch) : Promise.resolve(undefined),
      ]);
      // Paused while this reading was in flight: the screen stays frozen on what it showed.
      if (this.base.paused) {
        this.lastGoodAtMs = this.clock.now();
        this.unreachable = false;
        this.publish({ ...this.base, nowMs: this.clock.now() });
        return;
      }
      const { clockMs, kind } = clockOf(reading);
      const { stream, windows } = deriveStream(reading, this.windows, {
        window: this.window,
        stopAfterMs: this.stopAfterMs,
        clockMs,
        thresholds: this.thresholds,
      });
      this.windows = windows;
      this.lastGoodAtMs = this.clock.now();
      this.unreachable = false;
      const current = this.base;
      this.publish({
        ...current,
        source: reading.source,
        sink: reading.sink,
        nowMs: this.clock.now(),
        updatedAtMs: reading.atMs,
        clockMs,
        clockKind: kind,
        stream,
        load: deriveLoad(reading, current.load),
        // A branch change while this reading was in flight: keep the old gold until the next reading.
        gold: gold && gold.branch === current.branch ? gold : current.gold,
        error: undefined,
        readings: current.readings + 1,
      });
    } catch (error) {
      this.unreachable = error instanceof StatusUnreachableError;
      this.publish({
        ...this.base,
        nowMs: this.clock.now(),
        error: describeError(error).message.replace(/^brewline: /, ''),
      });
    }
  }

  /** Starts reading every `refreshMs` until `stop()`. */
  start(): void {
    if (this.loop) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.loop = (async () => {
      let lastRead = -Infinity;
      while (!signal.aborted) {
        const { paused, refreshMs } = this.base;
        const now = this.clock.now();
        if (!paused && this.inFlight === undefined && now - lastRead >= refreshMs) {
          lastRead = now;
          // Not awaited: a reading that hangs (a stopped pipeline) must not stop the clock or the verdict.
          void this.refresh();
        } else {
          this.publish({ ...this.base, nowMs: now });
        }
        if (signal.aborted) break;
        const due = paused
          ? TICK_MS
          : this.inFlight !== undefined
            ? Math.max(1, Math.min(TICK_MS, refreshMs / 4))
            : Math.min(TICK_MS, Math.max(0, lastRead + refreshMs - this.clock.now()));
        this.wake = new AbortController();
        try {
          await this.clock.sleep(due, AbortSignal.any([signal, this.wake.signal]));
        } catch {
          // woken early (a setting changed) or stopped
        }
      }
    })();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
    await this.inFlight;
    this.loop = undefined;
  }

  setPaused(paused: boolean): void {
    if (paused === this.base.paused) return;
    this.publish({ ...this.base, paused, nowMs: this.clock.now() });
    this.wake?.abort();
  }

  setRefreshMs(refreshMs: number): void {
    if (refreshMs === this.base.refreshMs) return;
    this.publish({ ...this.base, refreshMs });
    this.wake?.abort();
  }

  /** Filters every gold panel to one branch (null = the chain) and reads again at once. */
  setBranch(branch: string | null): void {
    if (branch === this.base.branch) return;
    this.publish({ ...this.base, branch, gold: undefined });
    if (!this.base.paused) void this.refresh().then(() => this.refreshIfStale(branch));
  }

  /** A reading that started before the branch changed returned the old branch's gold: read again. */
  private refreshIfStale(branch: string | null): Promise<void> | void {
    if (this.base.branch === branch && this.base.gold?.branch !== branch) return this.refresh();
  }
}
