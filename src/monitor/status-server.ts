import type { Clock } from '../domain/clock.js';
import { buildInfo } from '../build-info.js';
import type { GoldSnapshot, StatusFeed } from './feed-types.js';
import type { HealthThresholds } from './health-verdict.js';
import { BadRequest, json, LOOPBACK_HOST, startEndpoint, type EndpointResponse } from './http-endpoint.js';
import { BrewlineMetrics } from './metrics.js';
import { MonitorModel } from './monitor-model.js';
import { jsonStatus } from './json-output.js';

/** The status endpoint listens on loopback unless told otherwise (`--status-host 0.0.0.0` in a container). */
export const STATUS_HOST = LOOPBACK_HOST;

export interface StatusServerOptions {
  /** What to serve: the local feed of the running pipeline. */
  readonly feed: StatusFeed;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  /** Listen address. @default '127.0.0.1' */
  readonly host?: string;
  readonly clock: Clock;
  /** How often the server's own model reads, for the verdict in `/api/status` and `/metrics`. @default 1000 */
  readonly refreshMs?: number;
  /** @default 10 */
  readonly verdictWindow?: number;
  /** @default 10000 */
  readonly stopAfterMs?: number;
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: HealthThresholds;
  /** Open connections at most. @default 64 */
  readonly maxConnections?: number;
}

export interface StatusServer {
  /** e.g. `http://127.0.0.1:9464` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Endpoints, all GET, all read-only. */
export const STATUS_ROUTES = {
  '/api/stream': 'engine progress, committed and latest offsets, load generator (JSON)',
  '/api/gold': 'gold panels: revenue by branch, products, hourly windows; ?branch=NAME filters (JSON)',
  '/api/status': "the server's monitor snapshot, with the health verdict (JSON, schema brewline.status/1)",
  '/metrics': 'Prometheus text metrics',
  '/healthz': 'liveness: 200 while the process serves',
  '/readyz': 'readiness: 200 once the engine has been read and has not failed, 503 otherwise',
} as const;

/** Longest branch name accepted in `?branch=` (catalog names are far shorter). */
const MAX_BRANCH_LENGTH = 100;

/** `?branch=` of /api/gold: absent or empty = the chain; printable text only; no other parameters. */
export function parseGoldQuery(url: URL): string | null {
  for (const key of url.searchParams.keys()) {
    if (key !== 'branch') throw new BadRequest(`unknown parameter ${JSON.stringify(key)}: only ?branch=NAME`);
  }
  const all = url.searchParams.getAll('branch');
  if (all.length > 1) throw new BadRequest('give ?branch= once');
  const branch = all[0];
  if (branch === undefined || branch === '') return null;
  if (
    branch.length > MAX_BRANCH_LENGTH ||
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
    /[\u0000-\u001f\u007f]/.test(branch) ||
    branch.includes('\ufffd')
  ) {
    throw new BadRequest(
      `branch must be a branch name (printable text, at most ${MAX_BRANCH_LENGTH} characters)`,
    );
  }
  return branch;
}

/**
 * One gold read per branch at a time, shared by every request that arrives while it runs, and its JSON
 * text kept for `maxAgeMs`: 500 concurrent /api/gold requests cost one query and one string, not 500.
 */
export class GoldCache {
  private readonly entries = new Map<
    string,
    { at: number; gold: Promise<{ gold: GoldSnapshot; text: string }> }
  >();

  constructor(
    private readonly feed: StatusFeed,
    private readonly clock: Clock,
    private readonly maxAgeMs = 250,
  ) {}

  get(branch: string | null): Promise<{ gold: GoldSnapshot; text: string }> {
    const key = branch ?? '\u0000chain';
    const now = this.clock.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at <= this.maxAgeMs) return hit.gold;
    const gold = this.feed.readGold(branch).then((g) => ({ gold: g, text: `${JSON.stringify(g)}\n` }));
    // Bounded: at most one entry per branch name seen recently.
    if (this.entries.size > 256) this.entries.clear();
    this.entries.set(key, { at: now, gold });
    gold.catch(() => this.entries.delete(key));
    return gold;
  }
}

/**
 * Serves a running pipeline's progress, gold snapshots and Prometheus metrics, for `brewline monitor --url`
 * in another process (DuckDB does not let a second process read a file another process writes) and for a
 * scraper. Read-only: every route is a GET that only reads.
 */
export async function startStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const model = new MonitorModel({
    feed: options.feed,
    mode: 'pipeline',
    clock: options.clock,
    refreshMs: options.refreshMs ?? 1000,
    verdictWindow: options.verdictWindow ?? 10,
    stopAfterMs: options.stopAfterMs ?? 10_000,
    thresholds: options.thresholds,
    // Gold is read per request instead: no SQL against the engine's database while nobody is looking.
    gold: false,
  });
  const gold = new GoldCache(options.feed, options.clock);
  const metrics = new BrewlineMetrics(buildInfo());
  const sendJson = (value: unknown): EndpointResponse => json(200, value);

  const endpoint = await startEndpoint({
    host: options.host,
    port: options.port,
    service: 'brewline status',
    describe: STATUS_ROUTES,
    maxConnections: options.maxConnections,
    routes: {
      '/api/stream': async () => sendJson(await options.feed.readStream()),
      '/api/gold': async (url) => {
        const { text } = await gold.get(parseGoldQuery(url));
        return { status: 200, type: 'application/json; charset=utf-8', body: text };
      },
      '/api/status': () => sendJson(jsonStatus(model.getSnapshot())),
      '/metrics': async () => {
        const s = model.getSnapshot();
        metrics.observe(s);
        metrics.observeGold((await gold.get(null)).gold);
        return { status: 200, type: metrics.contentType, body: await metrics.text() };
      },
      '/healthz': () => sendJson({ status: 'ok' }),
      '/readyz': () => {
        const s = model.getSnapshot();
        const ready = s.readings > 0 && s.liveness === 'live' && s.stream?.engineStatus !== 'failed';
        return json(ready ? 200 : 503, {
          status: ready ? 'ready' : 'not ready',
          reason: ready
            ? undefined
            : s.readings === 0
              ? 'no reading of the engine yet'
              : (s.stream?.reason ?? s.error),
        });
      },
    },
  });
  model.start();
  return {
    url: endpoint.url,
    port: endpoint.port,
    close: async () => {
      await model.stop();
      await endpoint.close();
    },
  };
}
