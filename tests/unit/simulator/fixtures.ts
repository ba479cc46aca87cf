import { simulatorConfigSchema } from '../../../src/config/simulator-config.js';
import { loadDefaultCatalog } from '../../../src/domain/catalog.js';
import {
  OrderStream,
  simulationSettings,
  type SimMessage,
  type StreamOptions,
} from '../../../src/simulator/index.js';

export const ALL_FAULTS =
  'late=0.02,very_late=0.005,duplicate=0.01,malformed=0.002,invalid=0.003,oversize=0.001';

/** Stream options from config-file-shaped input (the same path the CLI takes). */
export function streamOptions(input: Record<string, unknown>): StreamOptions {
  const config = simulatorConfigSchema.parse({ start: '2026-01-01T07:00:00+05:45', ...input });
  return simulationSettings(config, loadDefaultCatalog(), 'default').stream;
}

export interface Collected {
  emitMs: number;
  branchIndex: number;
  key: string;
  kind: SimMessage['kind'];
  orderId: string;
  eventMs: number;
  text: string;
  binary: boolean;
  invalidRule: SimMessage['invalidRule'];
}

/** Runs a stream to its end and copies every message out. */
export function collect(options: StreamOptions): Collected[] {
  const stream = new OrderStream(options);
  const out: Collected[] = [];
  const decoder = new TextDecoder();
  while (stream.next()) {
    const m = stream.current;
    out.push({
      emitMs: m.emitMs,
      branchIndex: m.branchIndex,
      key: m.key,
      kind: m.kind,
      orderId: m.orderId,
      eventMs: m.eventMs,
      text: typeof m.value === 'string' ? m.value : decoder.decode(m.value),
      binary: typeof m.value !== 'string',
      invalidRule: m.invalidRule,
    });
  }
  return out;
}
