import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExternalError } from '../errors.js';
import type { LakehouseReader } from './types.js';

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
      throw new ExternalError(
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
  options: { sandboxed?: boolean } = {},
): Promise<LakehouseReader> {
  if ((await lakehouseKind(value)) === 'delta') {
    const { DeltaLakehouseReader } = await import('./delta/delta-lakehouse-reader.js');
    const reader = new DeltaLakehouseReader({ dir: value });
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
