import type { SimulatorConfig } from '../config/simulator-config.js';
import { selectBranches, type Catalog } from '../domain/catalog.js';
import { formatEventTime } from '../domain/time.js';
import type { StreamOptions } from './order-stream.js';

/** Default pace when neither speed nor rate is set: one simulated hour per real minute. */
export const DEFAULT_SPEED = 60;

export interface SimulationSettings {
  stream: StreamOptions;
  speed: number | 'max';
  batchSize: number | undefined;
  lingerMs: number;
  /** What the ledger records as the run's config: everything that decides the events, nothing about pace. */
  ledgerConfig: Record<string, unknown>;
}

/** Turns the validated simulator config into what a Simulation needs (branch selection included). */
export function simulationSettings(
  config: SimulatorConfig,
  fullCatalog: Catalog,
  catalogSource: string,
): SimulationSettings {
  const catalog = selectBranches(fullCatalog, config.branches);
  const speed =
    config.rate !== undefined ? (config.rate * 3600) / config.ordersPerHour : (config.speed ?? DEFAULT_SPEED);
  const stream: StreamOptions = {
    catalog,
    seed: config.seed,
    ordersPerHour: config.ordersPerHour,
    profile: config.profile,
    startMs: config.start,
    durationMs: config.duration,
    maxMessages: config.orders,
    faults: config.faults,
    watermarkDelayMs: config.watermarkDelay,
    windowDurationMs: config.window.duration,
    windowOffsetMs: config.window.offset,
    maxEventBytes: config.maxEventBytes,
    shard: config.shard,
    schemaVersion: config.schemaVersion,
  };
  const ledgerConfig: Record<string, unknown> = {
    seed: config.seed,
    catalog: catalogSource,
    branches: catalog.branches.map((b) => b.name),
    orders_per_hour: config.ordersPerHour,
    profile: config.profile,
    start: formatEventTime(config.start),
    duration_ms: config.duration ?? null,
    orders: config.orders ?? null,
    faults: config.faults,
    shard: config.shard ? `${config.shard.index}/${config.shard.count}` : null,
    watermark_delay_ms: config.watermarkDelay,
    max_event_bytes: config.maxEventBytes,
    // Only recorded when not the default, so version 1 ledgers stay byte-identical to before.
    ...(config.schemaVersion === 0 ? { schema_version: 0 } : {}),
  };
  return { stream, speed, batchSize: config.batchSize, lingerMs: config.lingerMs, ledgerConfig };
}
