import { systemClock, type Clock } from '../../domain/clock.js';
import { ExternalError } from '../../errors.js';
import { describeCredentials, type DatabricksCredentials } from './databricks-config.js';

/** The Entra ID application of Azure Databricks: tokens for it are accepted by every workspace in the tenant. */
export const AZURE_DATABRICKS_SCOPE = '2ff814a6-3304-4ab8-85cb-cd0e6f879c1d/.default';

/** A bearer token for REST and SQL, renewed before it expires. */
export interface TokenSource {
  /** Printable sign-in method (never the secret). */
  readonly method: string;
  token(): Promise<string>;
}

/** The part of `@azure/identity`'s TokenCredential brewline uses (so tests may pass their own). */
export interface AzureTokenCredential {
  getToken(scope: string): Promise<{ token: string; expiresOnTimestamp: number } | null>;
}

export interface TokenSourceOptions {
  readonly host: string;
  readonly credentials: DatabricksCredentials;
  readonly clock?: Clock;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
  /** Replaces DefaultAzureCredential (tests). */
  readonly azureCredential?: AzureTokenCredential;
}

/** Renew this long before expiry, so a request never leaves with a token about to lapse. */
const EARLY_RENEWAL_MS = 60_000;

class CachedTokenSource implements TokenSource {
  private cached: { token: string; expiresAtMs: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    readonly method: string,
    private readonly clock: Clock,
    private readonly fetchToken: () => Promise<{ token: string; expiresAtMs: number }>,
  ) {}

  token(): Promise<string> {
    if (this.cached && this.clock.now() < this.cached.expiresAtMs - EARLY_RENEWAL_MS) {
      return Promise.resolve(this.cached.token);
    }
    this.pending ??= this.fetchToken()
      .then((fresh) => {
        this.cached = fresh;
        return fresh.token;
      })
      .finally(() => {
        this.pending = undefined;
      });
    return this.pending;
  }
}

export function createTokenSource(options: TokenSourceOptions): TokenSource {
  const { credentials, host } = options;
  const clock = options.clock ?? systemClock;
  const method = describeCredentials(credentials);
  switch (credentials.kind) {
    case 'pat':
      return { method, token: () => Promise.resolve(credentials.token) };
    case 'oauth-m2m': {
      const doFetch = options.fetch ?? globalThis.fetch;
      return new CachedTokenSource(method, clock, async () => {
        const basic = Buffer.from(
          `${encodeURIComponent(credentials.clientId)}:${encodeURIComponent(credentials.clientSecret)}`,
        ).toString('base64');
        let response: Response;
        try {
          response = await doFetch(`${host}/oidc/v1/token`, {
            method: 'POST',
            headers: {
              authorization: `Basic ${basic}`,
              'content-type': 'application/x-www-form-urlencoded',
            },
            body: 'grant_type=client_credentials&scope=all-apis',
          });
        } catch (error) {
          throw new ExternalError(`cannot reach ${host}/oidc/v1/token: ${(error as Error).message}`, {
            retriable: true,
            hint: 'check DATABRICKS_HOST and the network path to the workspace',
          });
        }
        const body = (await response.json().catch(() => ({}))) as {
          access_token?: string;
          expires_in?: number;
          error_description?: string;
        };
        if (!response.ok || typeof body.access_token !== 'string') {
          throw new ExternalError(
            `Databricks refused the OAuth client credentials of ${credentials.clientId} (HTTP ${response.status}): ` +
              'check DATABRICKS_CLIENT_ID/DATABRICKS_CLIENT_SECRET and create a new OAuth secret for the service principal if it expired',
          );
        }
        return { token: body.access_token, expiresAtMs: clock.now() + (body.expires_in ?? 3600) * 1000 };
      });
    }
    case 'azure': {
      let credential: AzureTokenCredential | undefined = options.azureCredential;
      return new CachedTokenSource(method, clock, async () => {
        if (credential === undefined) {
          const identity = await import('@azure/identity');
          credential =
            credentials.tenantId && credentials.clientId && credentials.clientSecret
              ? new identity.ClientSecretCredential(
                  credentials.tenantId,
                  credentials.clientId,
                  credentials.clientSecret,
                )
              : new identity.DefaultAzureCredential();
        }
        let token: { token: string; expiresOnTimestamp: number } | null;
        try {
          token = await credential.getToken(AZURE_DATABRICKS_SCOPE);
        } catch (error) {
          throw new ExternalError(
            `Microsoft Entra ID gave no token for Azure Databricks: ${(error as Error).message.split('\n')[0]}`,
            {
              hint: 'sign in with `az login`, give the container a managed identity, or set AZURE_TENANT_ID/AZURE_CLIENT_ID/AZURE_CLIENT_SECRET',
            },
          );
        }
        if (!token) throw new ExternalError('Microsoft Entra ID returned no token for Azure Databricks');
        return { token: token.token, expiresAtMs: token.expiresOnTimestamp };
      });
    }
  }
}
