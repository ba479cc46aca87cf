import { describe, expect, it } from 'vitest';
import { progressLine } from '../../../src/commands/simulate.js';
import type { SimulatorSnapshot } from '../../../src/simulator/index.js';

const snapshot: SimulatorSnapshot = {
  status: 'running',
  simulatedNowMs: Date.parse('2026-01-01T03:15:00Z'),
  targetRate: 1500,
  actualRate: 1234.4,
  generated: 12_400,
  acked: 12_345,
  rejected: 3,
  errors: 0,
  throttled: 0,
  orders: 12_000,
  faults: { late: 10, very_late: 2, duplicate: 5, malformed: 1, invalid: 1, oversize: 3 },
  ackLatencyMs: { p50: 0.42, p99: 3.3, max: 9 },
  inFlight: 1,
  sink: 'file o.ndjson',
  startedAtMs: 0,
  lastError: undefined,
};

describe('simulate progress line', () => {
  it('shows the simulated Nepal clock, sent, actual vs target rate, faults, rejections and ack latency', () => {
    expect(progressLine(snapshot)).toBe(
      'simulate 2026-01-01 09:00:00 NPT  sent 12,345  rate 1,234/s (target 1,500/s)  faults 22  rejected 3  errors 0  ack p50 0.4ms p99 3.3ms',
    );
  });

  it('says max when backfilling without a target pace', () => {
    expect(progressLine({ ...snapshot, targetRate: null })).toContain('(target max)');
  });
});
