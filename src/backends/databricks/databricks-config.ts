import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../../errors.js';

/**
 * Databricks unified auth, read the way the Databricks CLI and SDKs read it: environment variables first, then
 * the attributes of a `~/.databrickscfg` profile (`DATABRICKS_CONFIG_PROFILE` or `--profile`, else DEFAULT),
 * then the sign-in method picked from what is set (`auth_type` when given).
 */

/** How brewline signs in to a workspace. Secrets stay inside this object: nothing prints it. */
export type DatabricksCredentials =
  | { readonly kind: 'pat'; readonly token: string }
  | { readonly kind: 'oauth-m2m'; readonly clientId: string; readonly clientSecret: string }
  | {
      readonly kind: 'azure';
      /** For DefaultAzureCredential's environment/workload identity; managed identity needs none. */
      readonly tenantId: string | undefined;
      readonly clientId: string | undefined;
      readonly clientSecret: string | undefined;
    };

export interface DatabricksSettings {
  /** Workspace URL, `https://<host>` without a trailing slash. */
  readonly host: string;
  readonly credentials: DatabricksCredentials;
  /** SQL warehouse id, when known (from `DATABRICKS_WAREHOUSE_ID`, the profile or the HTTP path). */
  readonly warehouseId: string | undefined;
  /** Thrift HTTP path, e.g. `/sql/1.0/warehouses/<id>`. */
  readonly httpPath: string | undefined;
  /** Where the settings came from, safe to print (e.g. `env`, `profile DEFAULT in ~/.databrickscfg`). */
  readonly origin: string;
}

export interface DatabricksSettingsInput {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** `--profile`; overrides `DATABRICKS_CONFIG_PROFILE`. */
  readonly profile?: string | undefined;
  /** A warehouse id or HTTP path given by the caller; overrides the environment. */
  readonly warehouse?: string | undefined;
  /** Home directory for the default config file (tests). @default os.homedir() */
  readonly home?: string;
}

/** Parses the INI-style `~/.databrickscfg`: `[profile]` sections of `key = value` lines. */
export function parseDatabricksCfg(text: string): Map<string, Map<string, string>> {
  const profiles = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      current = new Map();
      profiles.set(section[1]!.trim(), current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq > 0 && current) current.set(line.slice(0, eq).trim().toLowerCase(), line.slice(eq + 1).trim());
  }
  return profiles;
}

const WAREHOUSE_PATH = /^\/?sql\/(?:1\.0|protocolv1)\/(?:warehouses|endpoints)\/([A-Za-z0-9]+)\/?$/;

/** Normalises a host to `https://name` (Databricks is HTTPS only). */
export function normaliseHost(host: string): string {
  const trimmed = host.trim().replace(/\/+$/, '');
  if (/^http:\/\//i.test(trimmed)) {
    throw new ConfigError(`Databricks host ${trimmed} is not HTTPS`, {
      hint: 'set DATABRICKS_HOST to the workspace URL, e.g. https://adb-1234567890123456.7.azuredatabricks.net',
    });
  }
  return /^https:\/\//i.test(trimmed) ? trimmed : `https://${trimmed}`;
}

/** The warehouse id and HTTP path from either one. */
export function warehouseFrom(value: string | undefined): { id?: string; path?: string } {
  if (value === undefined || value.trim() === '') return {};
  const v = value.trim();
  const match = WAREHOUSE_PATH.exec(v);
  if (match) return { id: match[1]!, path: v.startsWith('/') ? v : `/${v}` };
  if (v.includes('/')) return { path: v.startsWith('/') ? v : `/${v}` };
  return { id: v, path: `/sql/1.0/warehouses/${v}` };
}

export function resolveDatabricksSettings(input: DatabricksSettingsInput = {}): DatabricksSettings {
  const env = input.env ?? process.env;
  const get = (name: string): string | undefined => {
    const value = env[name];
    return value === undefined || value.trim() === '' ? undefined : value.trim();
  };
  const profileName = input.profile ?? get('DATABRICKS_CONFIG_PROFILE');
  const configFile = get('DATABRICKS_CONFIG_FILE') ?? join(input.home ?? homedir(), '.databrickscfg');
  let profile = new Map<string, string>();
  let origin = 'environment';
  // A named profile must exist; DEFAULT is read only when the environment does not name a host.
  if (profileName !== undefined || get('DATABRICKS_HOST') === undefined) {
    let text: string | undefined;
    try {
      text = readFileSync(configFile, 'utf8');
    } catch {
      text = undefined;
    }
    const name = profileName ?? 'DEFAULT';
    const found = text === undefined ? undefined : parseDatabricksCfg(text).get(name);
    if (found) {
      profile = found;
      origin = `profile ${name} in ${configFile}`;
    } else if (profileName !== undefined) {
      throw new ConfigError(`no profile [${profileName}] in ${configFile}`, {
        hint: 'create it with `databricks auth login --profile NAME` or `databricks configure --profile NAME`',
      });
    }
  }
  // Environment variables override the profile's attributes, as in every Databricks SDK.
  const attr = (envName: string, key: string): string | undefined => get(envName) ?? profile.get(key);
  const hostValue = attr('DATABRICKS_HOST', 'host');
  if (hostValue === undefined) {
    throw new ConfigError('no Databricks workspace configured', {
      hint: 'set DATABRICKS_HOST (and DATABRICKS_TOKEN), or pass --profile NAME from ~/.databrickscfg',
    });
  }
  const host = normaliseHost(hostValue);
  const token = attr('DATABRICKS_TOKEN', 'token');
  const clientId = attr('DATABRICKS_CLIENT_ID', 'client_id');
  const clientSecret = attr('DATABRICKS_CLIENT_SECRET', 'client_secret');
  const authType = attr('DATABRICKS_AUTH_TYPE', 'auth_type');
  // Databricks' own names for an Entra ID service principal; without them DefaultAzureCredential decides
  // (AZURE_* environment, workload identity, managed identity, Azure CLI).
  const azure: DatabricksCredentials = {
    kind: 'azure',
    tenantId: attr('ARM_TENANT_ID', 'azure_tenant_id'),
    clientId: attr('ARM_CLIENT_ID', 'azure_client_id'),
    clientSecret: attr('ARM_CLIENT_SECRET', 'azure_client_secret'),
  };
  let credentials: DatabricksCredentials;
  const need = (value: string | undefined, what: string): string => {
    if (value === undefined) {
      throw new ConfigError(`auth_type ${authType} needs ${what}`, {
        hint: `set ${what} in the environment or in the profile (${origin})`,
      });
    }
    return value;
  };
  if (authType === 'pat') {
    credentials = { kind: 'pat', token: need(token, 'DATABRICKS_TOKEN') };
  } else if (authType === 'oauth-m2m') {
    credentials = {
      kind: 'oauth-m2m',
      clientId: need(clientId, 'DATABRICKS_CLIENT_ID'),
      clientSecret: need(clientSecret, 'DATABRICKS_CLIENT_SECRET'),
    };
  } else if (authType !== undefined && /^azure-(msi|cli|client-secret)$|^azure$/.test(authType)) {
    credentials = azure;
  } else if (authType !== undefined) {
    throw new ConfigError(`auth_type ${authType} is not supported by brewline`, {
      hint: 'use pat, oauth-m2m or azure-msi / azure-cli / azure-client-secret (Microsoft Entra ID)',
    });
  } else if (token !== undefined) {
    credentials = { kind: 'pat', token };
  } else if (clientId !== undefined && clientSecret !== undefined) {
    credentials = { kind: 'oauth-m2m', clientId, clientSecret };
  } else if (/\.azuredatabricks\.net$/i.test(new URL(host).hostname)) {
    credentials = azure;
  } else {
    throw new ConfigError(`no credentials for ${host}`, {
      hint: 'set DATABRICKS_TOKEN (a personal access token), or DATABRICKS_CLIENT_ID + DATABRICKS_CLIENT_SECRET (a service principal)',
    });
  }
  const warehouse = warehouseFrom(
    input.warehouse ??
      get('DATABRICKS_WAREHOUSE_ID') ??
      get('DATABRICKS_HTTP_PATH') ??
      profile.get('warehouse_id') ??
      profile.get('http_path'),
  );
  return { host, credentials, warehouseId: warehouse.id, httpPath: warehouse.path, origin };
}

/** What a status line may say about the sign-in, never the secret itself. */
export function describeCredentials(credentials: DatabricksCredentials): string {
  switch (credentials.kind) {
    case 'pat':
      return 'personal access token';
    case 'oauth-m2m':
      return `OAuth service principal ${credentials.clientId}`;
    case 'azure':
      return 'Microsoft Entra ID (DefaultAzureCredential)';
  }
}
