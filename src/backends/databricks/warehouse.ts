import { systemClock, type Clock } from '../../domain/clock.js';
import { ConfigError, ExternalError } from '../../errors.js';
import { DatabricksApiError, type DatabricksRestClient } from './rest-client.js';

/** SQL warehouse states (SQL Warehouses API 2.0). */
export type WarehouseState = 'STARTING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'DELETING' | 'DELETED';

export interface WarehouseInfo {
  readonly id: string;
  readonly name?: string;
  readonly state: WarehouseState;
  readonly odbc_params?: { readonly hostname?: string; readonly path?: string; readonly port?: number };
}

export interface EnsureRunningOptions {
  readonly rest: DatabricksRestClient;
  readonly warehouseId: string;
  readonly clock?: Clock;
  /** Start a stopped warehouse (needs CAN USE). @default true */
  readonly start?: boolean;
  /** How long to wait for STARTING → RUNNING. @default 300_000 */
  readonly timeoutMs?: number;
  /** @default 5000 */
  readonly pollMs?: number;
  /** One line for the user while waiting (stderr or the dashboard's status line). */
  readonly notice?: (line: string) => void;
}

/** Reads a warehouse; an unknown id gives the one line that says what to set. */
export async function getWarehouse(rest: DatabricksRestClient, id: string): Promise<WarehouseInfo> {
  try {
    return await rest.get<WarehouseInfo>(`/api/2.0/sql/warehouses/${encodeURIComponent(id)}`);
  } catch (error) {
    if (
      error instanceof DatabricksApiError &&
      (error.status === 404 || error.errorCode === 'RESOURCE_DOES_NOT_EXIST' || error.status === 400)
    ) {
      throw new ConfigError(
        `no SQL warehouse ${id} in ${rest.host}: set DATABRICKS_WAREHOUSE_ID (or DATABRICKS_HTTP_PATH) to an id from SQL Warehouses → Connection details`,
      );
    }
    throw error;
  }
}

/**
 * Makes sure the warehouse answers queries: a RUNNING one is used as is, a STOPPED one is started, and a
 * STARTING one is waited for (bounded), with one notice line saying so.
 */
export async function ensureWarehouseRunning(options: EnsureRunningOptions): Promise<WarehouseInfo> {
  const clock = options.clock ?? systemClock;
  const timeoutMs = options.timeoutMs ?? 300_000;
  const pollMs = options.pollMs ?? 5000;
  let info = await getWarehouse(options.rest, options.warehouseId);
  if (info.state === 'RUNNING') return info;
  if (info.state === 'DELETED' || info.state === 'DELETING') {
    throw new ConfigError(
      `SQL warehouse ${options.warehouseId} is ${info.state}: choose another with DATABRICKS_WAREHOUSE_ID (or DATABRICKS_HTTP_PATH)`,
    );
  }
  const name = info.name ? `${info.name} (${info.id})` : info.id;
  if (info.state === 'STOPPED' || info.state === 'STOPPING') {
    if (options.start === false) {
      throw new ExternalError(
        `SQL warehouse ${name} is ${info.state}: start it in SQL Warehouses (brewline may start it only with CAN USE on it)`,
      );
    }
    await options.rest.post(`/api/2.0/sql/warehouses/${encodeURIComponent(info.id)}/start`, {});
  }
  options.notice?.(
    `SQL warehouse ${name} is starting (was ${info.state}): waiting up to ${Math.round(timeoutMs / 1000)} s for it; a serverless warehouse takes seconds, a classic one a few minutes`,
  );
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    await clock.sleep(pollMs);
    info = await getWarehouse(options.rest, options.warehouseId);
    if (info.state === 'RUNNING') return info;
    if (clock.now() >= deadline) {
      throw new ExternalError(
        `SQL warehouse ${name} is still ${info.state} after ${Math.round(timeoutMs / 1000)} s: check it in SQL Warehouses (Monitoring), then run the command again`,
        { retriable: true },
      );
    }
  }
}
