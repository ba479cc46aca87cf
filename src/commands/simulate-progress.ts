import type { SimulatorConfig } from '../config/simulator-config.js';
import { FAULT_KINDS } from '../domain/ledger.js';
import { formatNepalTime } from '../domain/time.js';
import type { ProgressState } from '../monitor/progress-bar.js';
import type { SimulatorSnapshot } from '../simulator/snapshot-types.js';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/**
 * How far `simulate` is: generated messages of `--orders`, or simulated time of `--duration`; without an
 * end, a count. The detail names the simulated clock, the target rate and the trouble counters.
 */
export function simulationProgress(s: SimulatorSnapshot, sim: SimulatorConfig): ProgressState {
  const faults = FAULT_KINDS.reduce((sum, k) => sum + s.faults[k], 0);
  const target = s.targetRate === null ? 'max' : `${count(s.targetRate)}/s`;
  const detail =
    `sim ${formatNepalTime(s.simulatedNowMs, { seconds: false })} NPT · target ${target} · faults ${count(faults)}` +
    ` · rejected ${count(s.rejected)} · errors ${count(s.errors)} · ack p99 ${s.ackLatencyMs.p99.toFixed(1)}ms`;
  if (sim.orders !== undefined) return { done: s.generated, total: sim.orders, unit: 'messages', detail };
  if (sim.duration !== undefined) {
    const minutes = Math.max(0, (s.simulatedNowMs - sim.start) / 60_000);
    return {
      done: Math.floor(minutes),
      total: Math.round(sim.duration / 60_000),
      unit: 'sim minutes',
      detail,
    };
  }
  return { done: s.generated, total: undefined, unit: 'messages', detail };
}
