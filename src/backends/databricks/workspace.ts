import type { Clock } from '../../domain/clock.js';
import {
  resolveDatabricksSettings,
  type DatabricksSettings,
  type DatabricksSettingsInput,
} from './databricks-config.js';
import { JobsClient } from './jobs-client.js';
import { DatabricksRestClient } from './rest-client.js';
import { createTokenSource, type AzureTokenCredential, type TokenSource } from './token-source.js';
import { WarehouseReader, type WarehouseReaderOptions } from './warehouse-reader.js';

export interface DatabricksWorkspaceOptions extends DatabricksSettingsInput {
  readonly clock?: Clock;
  /** Replaces DefaultAzureCredential (tests). */
  readonly azureCredential?: AzureTokenCredential;
  /** One line for the user (warehouse starting, session reopened). */
  readonly notice?: (line: string) => void;
  /** Catalog of the SQL session (env DATABRICKS_CATALOG; the bundle's default is himalayan_java). */
  readonly catalog?: string | undefined;
  /** Passed to the warehouse reader (tests shorten waits). */
  readonly warehouseWait?: WarehouseReaderOptions['warehouseWait'];
  /** REST retries of 429/5xx. @default 4 */
  readonly retries?: number;
}

/** One signed-in workspace: settings, a token source, the REST and Jobs clients, and SQL readers. */
export interface DatabricksWorkspace {
  readonly settings: DatabricksSettings;
  readonly tokens: TokenSource;
  readonly rest: DatabricksRestClient;
  readonly jobs: JobsClient;
  /** A reader on the configured SQL warehouse (opened lazily on its first query). */
  reader(): WarehouseReader;
}

export function openDatabricksWorkspace(options: DatabricksWorkspaceOptions = {}): DatabricksWorkspace {
  const settings = resolveDatabricksSettings(options);
  const env = options.env ?? process.env;
  const tokens = createTokenSource({
    host: settings.host,
    credentials: settings.credentials,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.azureCredential ? { azureCredential: options.azureCredential } : {}),
  });
  const rest = new DatabricksRestClient({
    host: settings.host,
    tokens,
    credentials: settings.credentials,
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.retries === undefined ? {} : { retries: options.retries }),
  });
  const catalog = options.catalog ?? env['DATABRICKS_CATALOG'];
  return {
    settings,
    tokens,
    rest,
    jobs: new JobsClient(rest),
    reader: () =>
      new WarehouseReader({
        settings,
        tokens,
        rest,
        catalog,
        ...(options.notice ? { notice: options.notice } : {}),
        ...(options.warehouseWait ? { warehouseWait: options.warehouseWait } : {}),
      }),
  };
}
