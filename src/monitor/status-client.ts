import { ConfigError, ExternalError } from '../errors.js';
import type { GoldSnapshot, StatusFeed, StreamReading } from './feed-types.js';

export interface RemoteFeedOptions {
  /** Base URL of `pipeline run --status-port`, e.g. `http://127.0.0.1:9464`. */
  readonly url: string;
  /** Per-request timeout. @default 3000 */
  readonly timeoutMs?: number;
  /** For tests. @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Validates and normalises the status URL (http only: the endpoint is plain HTTP on loopback). */
export function parseStatusUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new ConfigError(`not a URL: ${JSON.stringify(text)}`, {
      hint: 'pass --url http://127.0.0.1:PORT (the --status-port of `brewline pipeline run`)',
    });
  }
  if (url.protocol !== 'http:') {
    throw new ConfigError(`the status endpoint speaks plain http, not ${url.protocol.replace(':', '')}`, {
      hint: 'pass --url http://127.0.0.1:PORT',
    });
  }
  url.pathname = '/';
  url.search = '';
  url.hash = '';
  return url;
}

/** Nothing listens at the status URL (the pipeline is gone): the monitor shows DOWN, not just STALE. */
export class StatusUnreachableError extends ExternalError {}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The monitor's feed when the pipeline runs in another process: reads its status endpoint with GET only
 * (the monitor never writes anything).
 */
export class RemoteFeed implements StatusFeed {
  readonly description: string;
  private readonly base: URL;
  private readonly timeoutMs: number;
  private readonly fetchFn: typeof fetch;

  constructor(options: RemoteFeedOptions) {
    this.base = parseStatusUrl(options.url);
    this.description = this.base.origin;
    this.timeoutMs = options.timeoutMs ?? 3000;
    this.fetchFn = options.fetch ?? globalThis.fetch;
  }

  private async get(path: string): Promise<Record<string, unknown>> {
    const url = new URL(path, this.base);
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error ? error : new Error(String(error));
      const code = (cause.cause as NodeJS.ErrnoException | undefined)?.code;
      const Failure =
        code !== undefined && UNREACHABLE_CODES.has(code) ? StatusUnreachableError : ExternalError;
      throw new Failure(
        `cannot reach the status endpoint at ${this.base.origin}: ${code ?? (cause.name === 'TimeoutError' ? 'timed out' : cause.message)}`,
        {
          cause,
          retriable: true,
          hint: 'start the pipeline with `brewline pipeline run --status-port PORT` and pass --url http://127.0.0.1:PORT',
        },
      );
    }
    const text = await response.text();
    if (!response.ok) {
      throw new ExternalError(
        `status endpoint ${url.pathname} answered ${response.status}: ${text.slice(0, 200)}`,
        {
          retriable: response.status >= 500,
        },
      );
    }
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ExternalError(
        `${this.base.origin} is not a brewline status endpoint (no JSON at ${url.pathname})`,
      );
    }
    if (!isObject(body)) {
      throw new ExternalError(
        `${this.base.origin} is not a brewline status endpoint (unexpected ${url.pathname})`,
      );
    }
    return body;
  }

  async readStream(): Promise<StreamReading> {
    const body = await this.get('/api/stream');
    if (typeof body['atMs'] !== 'number' || !Array.isArray(body['partitions'])) {
      throw new ExternalError(
        `${this.base.origin} is not a brewline status endpoint (unexpected /api/stream)`,
      );
    }
    return body as unknown as StreamReading;
  }

  async readGold(branch: string | null): Promise<GoldSnapshot> {
    const path = branch === null ? '/api/gold' : `/api/gold?branch=${encodeURIComponent(branch)}`;
    const body = await this.get(path);
    if (!Array.isArray(body['branches']) || !isObject(body['totals'])) {
      throw new ExternalError(`${this.base.origin} is not a brewline status endpoint (unexpected /api/gold)`);
    }
    return body as unknown as GoldSnapshot;
  }

  async close(): Promise<void> {}
}
