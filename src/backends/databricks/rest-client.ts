import { systemClock, type Clock } from '../../domain/clock.js';
import { ExternalError } from '../../errors.js';
import { retry } from '../../retry.js';
import type { DatabricksCredentials } from './databricks-config.js';
import type { TokenSource } from './token-source.js';

/** A REST error from the workspace, with Databricks' `error_code` (e.g. RESOURCE_DOES_NOT_EXIST). */
export class DatabricksApiError extends ExternalError {
  constructor(
    message: string,
    readonly status: number,
    readonly errorCode: string | undefined,
    retriable: boolean,
  ) {
    super(message, { retriable });
  }
}

export interface RestClientOptions {
  readonly host: string;
  readonly tokens: TokenSource;
  readonly credentials: DatabricksCredentials;
  readonly clock?: Clock;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Retries of 429/503 and network errors. @default 4 */
  readonly retries?: number;
}

/** What to do when the workspace refuses the credentials, per sign-in method. */
export function refusedTokenLine(host: string, credentials: DatabricksCredentials, status: number): string {
  const fix =
    credentials.kind === 'pat'
      ? 'create a new personal access token (User settings → Developer → Access tokens) and set DATABRICKS_TOKEN'
      : credentials.kind === 'oauth-m2m'
        ? `add service principal ${credentials.clientId} to the workspace, or check DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET`
        : 'add your Entra ID identity (user, service principal or managed identity) to the workspace';
  return `Databricks refused the token for ${host} (HTTP ${status}): ${fix}`;
}

/** A small JSON client for the workspace REST API (Jobs 2.2, SQL warehouses). */
export class DatabricksRestClient {
  readonly host: string;
  private readonly options: RestClientOptions;
  private readonly clock: Clock;
  private readonly doFetch: typeof fetch;

  constructor(options: RestClientOptions) {
    this.options = options;
    this.host = options.host;
    this.clock = options.clock ?? systemClock;
    this.doFetch = options.fetch ?? globalThis.fetch;
  }

  get<T>(path: string, query: Readonly<Record<string, string | number | undefined>> = {}): Promise<T> {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v));
    const qs = params.size > 0 ? `?${params.toString()}` : '';
    return this.request<T>('GET', `${path}${qs}`, undefined);
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private request<T>(method: string, path: string, body: unknown): Promise<T> {
    return retry(
      async () => {
        const token = await this.options.tokens.token();
        let response: Response;
        try {
          response = await this.doFetch(`${this.host}${path}`, {
            method,
            headers: {
              authorization: `Bearer ${token}`,
              accept: 'application/json',
              ...(body === undefined ? {} : { 'content-type': 'application/json' }),
              'user-agent': 'brewline/0.1',
            },
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
        } catch (error) {
          // undici says only "fetch failed"; the reason (ENOTFOUND, ECONNREFUSED, a TLS error) is its cause.
          const cause = (error as { cause?: { code?: string; message?: string } }).cause;
          throw new ExternalError(
            `cannot reach ${this.host}: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
            {
              retriable: true,
              hint: 'check DATABRICKS_HOST (the workspace URL) and the network or proxy between here and the workspace',
            },
          );
        }
        const text = await response.text();
        let json: Record<string, unknown> = {};
        try {
          json = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
        } catch {
          json = {};
        }
        if (response.ok) return json as T;
        const errorCode = typeof json['error_code'] === 'string' ? json['error_code'] : undefined;
        const message = typeof json['message'] === 'string' ? json['message'] : response.statusText;
        if (response.status === 401 || (response.status === 403 && errorCode !== 'PERMISSION_DENIED')) {
          throw new DatabricksApiError(
            refusedTokenLine(this.host, this.options.credentials, response.status),
            response.status,
            errorCode,
            false,
          );
        }
        const retriable = response.status === 429 || response.status >= 500;
        throw new DatabricksApiError(
          `Databricks ${method} ${path.split('?')[0]} failed (HTTP ${response.status}${errorCode ? ` ${errorCode}` : ''}): ${message}`,
          response.status,
          errorCode,
          retriable,
        );
      },
      { retries: this.options.retries ?? 4, clock: this.clock, initialDelayMs: 500 },
    );
  }
}
