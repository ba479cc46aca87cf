import type { SendReceipt, Sink } from '../backends/types.js';
import { buildInfo } from '../build-info.js';
import type { SimulatorStore } from '../simulator/snapshot-types.js';
import { json, startEndpoint, type Endpoint } from './http-endpoint.js';
import { BrewlineMetrics } from './metrics.js';
import { deriveLoad } from './monitor-snapshot.js';

/** Routes of `simulate --status-port`. */
export const SIMULATOR_ROUTES = {
  '/metrics': 'Prometheus text metrics of the load generator (brewline_simulator_*, process, build info)',
  '/healthz': 'liveness: 200 while the process serves',
  '/readyz': 'readiness: 200 while the simulator runs and its sink accepts sends, 503 otherwise',
} as const;

/** Wraps a sink so every send's acknowledgement latency reaches `observe` (the ack-latency histogram). */
export function measuredSink(sink: Sink, observe: (latencyMs: number) => void): Sink {
  return new Proxy(sink, {
    get(target, property, receiver) {
      if (property === 'send') {
        return async (...args: Parameters<Sink['send']>): Promise<SendReceipt> => {
          const receipt = await target.send(...args);
          observe(receipt.latencyMs);
          return receipt;
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Serves the load generator's metrics for a scraper (a container's `simulate` is its only process). */
export async function startSimulatorMetrics(options: {
  readonly simulation: SimulatorStore;
  readonly metrics: BrewlineMetrics;
  readonly port: number;
  readonly host?: string;
}): Promise<Endpoint> {
  const { simulation, metrics } = options;
  return startEndpoint({
    host: options.host,
    port: options.port,
    service: 'brewline simulate',
    describe: SIMULATOR_ROUTES,
    routes: {
      '/metrics': async () => {
        const s = simulation.getSnapshot();
        const load = deriveLoad(
          { atMs: Date.now(), source: '', sink: s.sink, engine: undefined, simulator: s, partitions: [] },
          undefined,
        );
        if (load) metrics.observeLoad(load);
        return { status: 200, type: metrics.contentType, body: await metrics.text() };
      },
      '/healthz': () => json(200, { status: 'ok' }),
      '/readyz': () => {
        const s = simulation.getSnapshot();
        const ready = s.status === 'running' || s.status === 'starting';
        return json(ready ? 200 : 503, { status: ready ? 'ready' : 'not ready', simulator: s.status });
      },
    },
  });
}

/** The metrics registry of a simulator process. */
export function simulatorMetrics(): BrewlineMetrics {
  return new BrewlineMetrics(buildInfo());
}
