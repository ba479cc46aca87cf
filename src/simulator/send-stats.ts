import type { FaultKind } from '../domain/ledger.js';
import { FAULT_KINDS } from '../domain/ledger.js';
import type { SimulatorSnapshot, SimulatorStore } from './snapshot-types.js';

const LATENCY_SAMPLES = 2048;
const RATE_WINDOW_MS = 5000;

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[i]!;
}

/**
 * The producer's counters and its observable snapshot (SimulatorStore): views subscribe and read an
 * immutable snapshot that only changes when `publish` runs, as `useSyncExternalStore` requires.
 */
export class SendStats implements SimulatorStore {
  status: SimulatorSnapshot['status'] = 'starting';
  generated = 0;
  acked = 0;
  rejected = 0;
  errors = 0;
  throttled = 0;
  inFlight = 0;
  lastError: string | undefined;
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private latencyCount = 0;
  private maxLatency = 0;
  private readonly rateSamples: { at: number; acked: number; target: number | null }[] = [];
  private snapshot: SimulatorSnapshot;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly sink: string,
    private readonly startedAtMs: number,
  ) {
    this.snapshot = this.build(startedAtMs, null, 0, emptyFaults());
  }

  recordLatency(ms: number): void {
    this.latencies[this.latencyCount % LATENCY_SAMPLES] = ms;
    this.latencyCount++;
    if (ms > this.maxLatency) this.maxLatency = ms;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot(): SimulatorSnapshot {
    return this.snapshot;
  }

  /** Builds a fresh snapshot from the counters and tells the subscribers. */
  publish(
    nowMs: number,
    simulatedNowMs: number,
    targetRate: number | null,
    orders: number,
    faults: Record<FaultKind, number>,
  ): void {
    this.rateSamples.push({ at: nowMs, acked: this.acked, target: targetRate });
    while (this.rateSamples.length > 2 && this.rateSamples[1]!.at <= nowMs - RATE_WINDOW_MS)
      this.rateSamples.shift();
    this.snapshot = this.build(simulatedNowMs, targetRate, orders, faults);
    for (const listener of [...this.listeners]) listener();
  }

  /**
   * The target averaged over the same window as the actual rate: at fast simulated speeds the day curve moves
   * within seconds, and an instantaneous target next to a 5 s average would look like a pacing error.
   */
  private windowTarget(latest: number | null): number | null {
    if (latest === null || this.rateSamples.length === 0) return latest;
    let sum = 0;
    for (const sample of this.rateSamples) {
      if (sample.target === null) return latest;
      sum += sample.target;
    }
    return sum / this.rateSamples.length;
  }

  private build(
    simulatedNowMs: number,
    targetRate: number | null,
    orders: number,
    faults: Record<FaultKind, number>,
  ): SimulatorSnapshot {
    const n = Math.min(this.latencyCount, LATENCY_SAMPLES);
    const sorted = this.latencies.slice(0, n).sort();
    const first = this.rateSamples[0];
    const last = this.rateSamples[this.rateSamples.length - 1];
    const span = first && last ? last.at - first.at : 0;
    return {
      status: this.status,
      simulatedNowMs,
      targetRate: this.windowTarget(targetRate),
      actualRate: span > 0 ? ((last!.acked - first!.acked) * 1000) / span : 0,
      generated: this.generated,
      acked: this.acked,
      rejected: this.rejected,
      errors: this.errors,
      throttled: this.throttled,
      orders,
      faults,
      ackLatencyMs: { p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99), max: this.maxLatency },
      inFlight: this.inFlight,
      sink: this.sink,
      startedAtMs: this.startedAtMs,
      lastError: this.lastError,
    };
  }
}

export function emptyFaults(): Record<FaultKind, number> {
  return Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
}
