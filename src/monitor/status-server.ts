import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Clock } from '../domain/clock.js';
import { ExternalError } from '../errors.js';
import type { StatusFeed } from './feed-types.js';
import type { HealthThresholds } from './health-verdict.js';
import { MonitorModel } from './monitor-model.js';
import { prometheusText, PROMETHEUS_CONTENT_TYPE } from './prometheus.js';

/** The status endpoint listens on loopback only: it is for a monitor on the same machine, not the network. */
export const STATUS_HOST = '127.0.0.1';

export interface StatusServerOptions {
  /** What to serve: the local feed of the running pipeline. */
  readonly feed: StatusFeed;
  /** TCP port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  readonly clock: Clock;
  /** How often the server's own model reads, for the verdict in `/api/status` and `/metrics`. @default 1000 */
  readonly refreshMs?: number;
  /** @default 10 */
  readonly verdictWindow?: number;
  /** @default 10000 */
  readonly stopAfterMs?: number;
  /** @default DEFAULT_THRESHOLDS */
  readonly thresholds?: HealthThresholds;
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
  '/api/status': "the server's monitor snapshot, with the health verdict (JSON)",
  '/metrics': 'Prometheus text metrics',
} as const;

function send(res: ServerResponse, status: number, type: string, body: string, head: boolean): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(head ? undefined : body);
}

function sendJson(res: ServerResponse, status: number, value: unknown, head: boolean): void {
  send(res, status, 'application/json; charset=utf-8', `${JSON.stringify(value)}\n`, head);
}

/** Only loopback names, so a web page cannot read the endpoint through DNS rebinding. */
function loopbackHost(host: string | undefined, port: number): boolean {
  if (host === undefined) return true;
  return [`${STATUS_HOST}:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(host.toLowerCase());
}

/**
 * Serves a running pipeline's progress, gold snapshots and Prometheus metrics on 127.0.0.1, for
 * `brewline monitor --url` in another process (DuckDB does not let a second process read a file another
 * process writes). Read-only: every route is a GET that only reads.
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

  const handle = async (req: IncomingMessage, res: ServerResponse, port: number): Promise<void> => {
    const head = req.method === 'HEAD';
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      sendJson(res, 405, { error: 'read-only endpoint: only GET and HEAD' }, false);
      return;
    }
    if (!loopbackHost(req.headers.host, port)) {
      sendJson(res, 403, { error: 'loopback hosts only' }, head);
      return;
    }
    const url = new URL(req.url ?? '/', `http://${STATUS_HOST}:${port}`);
    switch (url.pathname) {
      case '/':
        sendJson(res, 200, { service: 'brewline status', routes: STATUS_ROUTES }, head);
        return;
      case '/api/stream':
        sendJson(res, 200, await options.feed.readStream(), head);
        return;
      case '/api/gold': {
        const branch = url.searchParams.get('branch');
        sendJson(
          res,
          200,
          await options.feed.readGold(branch === null || branch === '' ? null : branch),
          head,
        );
        return;
      }
      case '/api/status':
        sendJson(res, 200, model.getSnapshot(), head);
        return;
      case '/metrics': {
        const gold = await options.feed.readGold(null);
        send(res, 200, PROMETHEUS_CONTENT_TYPE, prometheusText({ ...model.getSnapshot(), gold }), head);
        return;
      }
      default:
        sendJson(
          res,
          404,
          { error: `no such route: ${url.pathname}`, routes: Object.keys(STATUS_ROUTES) },
          head,
        );
    }
  };

  const server = createServer((req, res) => {
    const port = (server.address() as AddressInfo).port;
    handle(req, res, port).catch((error: unknown) => {
      if (!res.headersSent) {
        sendJson(res, 500, { error: error instanceof Error ? error.message : String(error) }, false);
      } else {
        res.destroy();
      }
    });
  });
  // Short keep-alive so close() is not held up by an idle monitor connection.
  server.keepAliveTimeout = 2000;

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new ExternalError(
          `cannot serve the status endpoint on ${STATUS_HOST}:${options.port}: ${error.code ?? error.message}`,
          {
            cause: error,
            hint:
              error.code === 'EADDRINUSE' ? 'pick another --status-port, or 0 for any free port' : undefined,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, STATUS_HOST, () => {
      server.off('error', onError);
      resolve();
    });
  });
  model.start();
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${STATUS_HOST}:${port}`,
    port,
    close: async () => {
      await model.stop();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
