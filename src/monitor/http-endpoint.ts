import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ExternalError } from '../errors.js';

/** Where an endpoint listens by default: loopback, for a monitor on the same machine. */
export const LOOPBACK_HOST = '127.0.0.1';

/** An answer to a request. */
export interface EndpointResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A request the endpoint refuses before any work: 400 with a reason a person can act on. */
export class BadRequest extends Error {}

export type RouteHandler = (url: URL) => Promise<EndpointResponse> | EndpointResponse;

export interface EndpointOptions {
  /** Listen address. @default '127.0.0.1' */
  readonly host?: string;
  /** TCP port; 0 picks a free one. */
  readonly port: number;
  readonly routes: Readonly<Record<string, RouteHandler>>;
  /** What `/` lists. */
  readonly describe: Readonly<Record<string, string>>;
  readonly service: string;
  /**
   * Open connections at most; more are closed at once, so a flood of idle sockets cannot use up the
   * process's file descriptors (the pipeline's own files and sockets come first). @default 64
   */
  readonly maxConnections?: number;
  /** A client must send its request headers within this. @default 5000 */
  readonly headersTimeoutMs?: number;
  /** A whole request/response must finish within this. @default 15000 */
  readonly requestTimeoutMs?: number;
  /** An idle keep-alive connection is closed after this. @default 2000 */
  readonly keepAliveTimeoutMs?: number;
  /** For the error message of a port in use. */
  readonly portFlag?: string;
}

export interface Endpoint {
  /** e.g. `http://127.0.0.1:9464` */
  readonly url: string;
  readonly port: number;
  readonly host: string;
  close(): Promise<void>;
}

export function json(status: number, value: unknown): EndpointResponse {
  return { status, type: 'application/json; charset=utf-8', body: `${JSON.stringify(value)}\n` };
}

function isLoopback(host: string): boolean {
  return host === '127.0.0.1' || host === '::1' || host === 'localhost' || host.startsWith('127.');
}

/**
 * Names a loopback endpoint answers to, so a web page cannot read it through DNS rebinding. An endpoint
 * bound to another address (a container's 0.0.0.0 for Prometheus) answers any Host.
 */
function hostAllowed(bound: string, header: string | undefined, port: number): boolean {
  if (!isLoopback(bound) || header === undefined) return true;
  return [`${bound}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`].includes(
    header.toLowerCase(),
  );
}

/**
 * A small read-only HTTP endpoint: GET/HEAD only, bounded connections and timeouts, 400 for bad
 * parameters, and never an internal message (which could carry SQL) in a 500.
 */
export async function startEndpoint(options: EndpointOptions): Promise<Endpoint> {
  const host = options.host ?? LOOPBACK_HOST;
  const write = (res: ServerResponse, r: EndpointResponse, head: boolean): void => {
    res.writeHead(r.status, {
      'content-type': r.type,
      'content-length': Buffer.byteLength(r.body),
      'cache-control': 'no-store',
      ...r.headers,
    });
    res.end(head ? undefined : r.body);
  };
  const handle = async (req: IncomingMessage, port: number): Promise<EndpointResponse> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return {
        ...json(405, { error: 'read-only endpoint: only GET and HEAD' }),
        headers: { allow: 'GET, HEAD' },
      };
    }
    if (!hostAllowed(host, req.headers.host, port)) return json(403, { error: 'loopback hosts only' });
    let url: URL;
    try {
      url = new URL(req.url ?? '/', `http://${LOOPBACK_HOST}:${port}`);
    } catch {
      return json(400, { error: 'malformed request target' });
    }
    if (url.pathname === '/') return json(200, { service: options.service, routes: options.describe });
    const route = options.routes[url.pathname];
    if (!route)
      return json(404, { error: `no such route: ${url.pathname}`, routes: Object.keys(options.describe) });
    try {
      return await route(url);
    } catch (error) {
      if (error instanceof BadRequest) return json(400, { error: error.message });
      // The details stay in this process: a lakehouse error can quote SQL and paths.
      return json(500, { error: 'internal error while reading the pipeline; see its log' });
    }
  };

  const server = createServer(
    {
      requestTimeout: options.requestTimeoutMs ?? 15_000,
      headersTimeout: options.headersTimeoutMs ?? 5000,
      connectionsCheckingInterval: 1000,
    },
    (req, res) => {
      const port = (server.address() as AddressInfo).port;
      const head = req.method === 'HEAD';
      handle(req, port).then(
        (r) => write(res, r, head),
        () => res.destroy(),
      );
    },
  );
  server.maxConnections = options.maxConnections ?? 64;
  server.keepAliveTimeout = options.keepAliveTimeoutMs ?? 2000;
  // A connection that sends nothing at all is closed too (headersTimeout only starts with a request).
  server.on('connection', (socket) =>
    socket.setTimeout(options.headersTimeoutMs ?? 5000, () => socket.destroy()),
  );
  server.on('request', (req) => req.socket.setTimeout(0));
  server.on('clientError', (_error, socket) => {
    if (socket.writable)
      socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new ExternalError(
          `cannot serve ${options.service} on ${host}:${options.port}: ${error.code ?? error.message}`,
          {
            cause: error,
            hint:
              error.code === 'EADDRINUSE'
                ? `pick another ${options.portFlag ?? '--status-port'}, or 0 for any free port`
                : error.code === 'EADDRNOTAVAIL'
                  ? 'pass an address of this machine to --status-host (0.0.0.0 for every interface)'
                  : undefined,
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen(options.port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    port: address.port,
    host,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
