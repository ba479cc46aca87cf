import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import type { LakehouseReader } from './types.js';

/** The `--lakehouse` value that means the Databricks SQL warehouse (PLAN interface 5). */
export const DATABRICKS_LAKEHOUSE = 'databricks';

export interface DatabricksReaderOptions {
  /** `--profile` of ~/.databrickscfg (else DATABRICKS_CONFIG_PROFILE / the environment). */
  readonly profile?: string | undefined;
  /** Where a line like "the warehouse is starting" goes. @default stderr */
  readonly notice?: (line: string) => void;
}

/** Which kind of lakehouse a `--lakehouse` value names (PLAN interface 5). */
export type LakehouseKind = 'duckdb' | 'delta';

/**
 * What a `--lakehouse` value points at: a folder of Delta tables (`<schema>/<table>/_delta_log`, what
 * `pipeline run --engine spark` writes) or a DuckDB file (the embedded engine's).
 */
export async function lakehouseKind(value: string): Promise<LakehouseKind> {
  const path = resolve(value);
  if (existsSync(path) && statSync(path).isDirectory()) {
    const { isDeltaLakehouse } = await import('./delta/delta-lakehouse-reader.js');
    if (!isDeltaLakehouse(path)) {
      throw new ConfigError(
        `${path} is a folder but holds no Delta tables (no <schema>/<table>/_delta_log)`,
        {
          hint: 'point --lakehouse at a DuckDB file or at the folder `pipeline run --engine spark --lakehouse DIR` writes',
        },
      );
    }
    return 'delta';
  }
  return 'duckdb';
}

/**
 * Opens a read-only reader for a `--lakehouse` value (`verify`, `query`, the monitor): the DuckDB file
 * read-only, or the Delta folder through DuckDB's built-in Parquet reader. The caller closes it.
 */
export async function openLakehouseReader(
  value: string,
  options: DatabricksReaderOptions & { sandboxed?: boolean } = {},
): Promise<LakehouseReader> {
  if (value === DATABRICKS_LAKEHOUSE) {
    // The SQL warehouse of the workspace unified auth names (DATABRICKS_HOST, a profile, …); opens on its first query.
    const { openDatabricksWorkspace } = await import('./databricks/workspace.js');
    return openDatabricksWorkspace({
      profile: options.profile,
      notice: options.notice ?? ((line) => void process.stderr.write(`${line}\n`)),
    }).reader();
  }
  if ((await lakehouseKind(value)) === 'delta') {
    const { DeltaLakehouseReader } = await import('./delta/delta-lakehouse-reader.js');
    const reader = new DeltaLakehouseReader({ dir: value, sandboxed: options.sandboxed ?? false });
    await reader.open();
    return reader;
  }
  const { DuckDBLakehouse } = await import('./duckdb/duckdb-lakehouse.js');
  // `sandboxed` (brewline query): no file, network or extension access beyond the lakehouse file itself.
  const lakehouse = new DuckDBLakehouse({
    path: value,
    readOnly: true,
    sandboxed: options.sandboxed ?? false,
  });
  await lakehouse.open();
  return lakehouse;
}
