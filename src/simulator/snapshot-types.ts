import type { FaultKind } from '../domain/ledger.js';

/** The load generator's public state, for the TUI's load panel, progress lines and summaries. */
export interface SimulatorSnapshot {
  status: 'starting' | 'running' | 'finished' | 'stopped' | 'failed';
  /** Simulated clock, epoch ms. */
  simulatedNowMs: number;
  /** Orders per real second the pace aims at (at the current point of the day curve); null for `--speed max`. */
  targetRate: number | null;
  /** Orders per real second actually acknowledged, over the last few seconds. */
  actualRate: number;
  /** Messages generated, acknowledged by the sink, rejected (oversize), failed (errors). */
  generated: number;
  acked: number;
  rejected: number;
  errors: number;
  throttled: number;
  /** Distinct valid orders sent. */
  orders: number;
  faults: Record<FaultKind, number>;
  /** Acknowledgement latency per send, ms. */
  ackLatencyMs: { p50: number; p99: number; max: number };
  inFlight: number;
  sink: string;
  startedAtMs: number;
  lastError: string | undefined;
}

export interface SimulatorStore {
  subscribe(listener: () => void): () => void;
  getSnapshot(): SimulatorSnapshot;
}
