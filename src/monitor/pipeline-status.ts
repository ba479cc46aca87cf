import type { LagProbe, LakehouseReader } from '../backends/types.js';
import { systemClock, type Clock } from '../domain/clock.js';
import type { EngineStore } from '../pipeline/progress-types.js';
import type { HealthThresholds } from './health-verdict.js';
import { LocalFeed } from './local-feed.js';
import { startStatusServer, type StatusServer } from './status-server.js';

export interface PipelineStatusOptions {
  /** TCP port (0 = any free port). */
  readonly port: number;
  readonly engine: EngineStore;
  /** The engine's source, read for fresh latest offsets. */
  readonly probe: LagProbe & { readonly description: string };
  /** The engine's lakehouse; a second connection on its DuckDB instance serves gold. */
  readonly lakehouse: { readonly description: string; reader(): Promise<LakehouseReader> };
  /** @default systemClock */
  readonly clock?: Clock;
  readonly refreshMs?: number;
  readonly verdictWindow?: number;
  readonly stopAfterMs?: number;
  readonly thresholds?: HealthThresholds;
  /** Listen address. @default '127.0.0.1' */
  readonly host?: string;
}

/**
 * Serves a running `pipeline run` on 127.0.0.1 for `brewline monitor` in another process: the status
 * server over a local feed of the engine, its source and a reader on its lakehouse. `close()` stops the
 * server.
 */
export async function startPipelineStatus(options: PipelineStatusOptions): Promise<StatusServer> {
  const clock = options.clock ?? systemClock;
  const reader = await options.lakehouse.reader();
  const feed = new LocalFeed({
    engine: options.engine,
    probe: options.probe,
    lakehouse: reader,
    source: options.probe.description,
    sink: options.lakehouse.description,
    clock,
  });
  let server: StatusServer;
  try {
    server = await startStatusServer({
      feed,
      port: options.port,
      clock,
      refreshMs: options.refreshMs,
      verdictWindow: options.verdictWindow,
      stopAfterMs: options.stopAfterMs,
      thresholds: options.thresholds,
      host: options.host,
    });
  } catch (error) {
    await reader.close();
    throw error;
  }
  // The reader stays open until the lakehouse closes: it owns every connection it handed out.
  return server;
}
