import type { Clock } from '../../domain/clock.js';

/** Event Hubs ingress per throughput unit (Standard tier): 1 MB/s or 1,000 events/s, whichever comes first. */
export const BYTES_PER_THROUGHPUT_UNIT = 1_048_576;
export const EVENTS_PER_THROUGHPUT_UNIT = 1_000;

/**
 * Two token buckets (events and bytes) refilled continuously at N throughput units' rates and holding at most
 * one second's worth, on an injected clock. `take` waits until both have room, first come first served, so
 * concurrent senders share the cap instead of racing into ServerBusy.
 */
export class ThroughputLimiter {
  private readonly eventsPerMs: number;
  private readonly bytesPerMs: number;
  private readonly maxEvents: number;
  private readonly maxBytes: number;
  private events: number;
  private bytes: number;
  private refilledAt: number;
  private queue: Promise<void> = Promise.resolve();
  /** Total ms callers spent waiting for quota. */
  waitedMs = 0;

  constructor(
    readonly throughputUnits: number,
    private readonly clock: Clock,
  ) {
    if (!(throughputUnits > 0)) throw new RangeError('throughputUnits must be above 0');
    this.maxEvents = throughputUnits * EVENTS_PER_THROUGHPUT_UNIT;
    this.maxBytes = throughputUnits * BYTES_PER_THROUGHPUT_UNIT;
    this.eventsPerMs = this.maxEvents / 1000;
    this.bytesPerMs = this.maxBytes / 1000;
    this.events = this.maxEvents;
    this.bytes = this.maxBytes;
    this.refilledAt = clock.now();
  }

  /** Resolves once `events` events of `bytes` bytes may be sent; requests beyond one second's quota are capped to it. */
  take(events: number, bytes: number, signal?: AbortSignal): Promise<void> {
    const turn = this.queue.then(() =>
      this.wait(Math.min(events, this.maxEvents), Math.min(bytes, this.maxBytes), signal),
    );
    // A caller that gives up (abort) must not block the ones behind it.
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private refill(): void {
    const now = this.clock.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.refilledAt = now;
    this.events = Math.min(this.maxEvents, this.events + elapsed * this.eventsPerMs);
    this.bytes = Math.min(this.maxBytes, this.bytes + elapsed * this.bytesPerMs);
  }

  private async wait(events: number, bytes: number, signal?: AbortSignal): Promise<void> {
    for (;;) {
      this.refill();
      if (this.events >= events && this.bytes >= bytes) {
        this.events -= events;
        this.bytes -= bytes;
        return;
      }
      const needMs = Math.max(
        (events - this.events) / this.eventsPerMs,
        (bytes - this.bytes) / this.bytesPerMs,
      );
      const delay = Math.max(1, Math.ceil(needMs));
      this.waitedMs += delay;
      await this.clock.sleep(delay, signal);
    }
  }
}
