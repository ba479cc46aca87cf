import { ExternalError } from '../../errors.js';

/**
 * Delta's primitive types (PROTOCOL.md "Primitive Types") as DuckDB types. The view casts every column to
 * its declared type so the Parquet physical encoding (Spark writes timestamps as INT96 by default, Delta
 * readers may see TIMESTAMP_MICROS adjusted to UTC) never leaks into what `query`/`verify` see.
 */
const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  long: 'BIGINT',
  integer: 'INTEGER',
  short: 'SMALLINT',
  byte: 'TINYINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  binary: 'BLOB',
  date: 'DATE',
  // Delta's timestamp is an instant; the lakehouse's TIMESTAMP columns hold UTC wall time (the reader's
  // session time zone is UTC).
  timestamp: 'TIMESTAMP',
  timestamp_ntz: 'TIMESTAMP',
};

/** The DuckDB type of a Delta field type; undefined for nested types (read as DuckDB reads them). */
export function duckdbType(type: unknown): string | undefined {
  if (typeof type !== 'string') return undefined;
  const primitive = PRIMITIVES[type];
  if (primitive) return primitive;
  const decimal = /^decimal\((\d+),\s*(\d+)\)$/.exec(type);
  if (decimal) return `DECIMAL(${decimal[1]},${decimal[2]})`;
  throw new ExternalError(`unknown Delta column type ${JSON.stringify(type)}`, {
    hint: 'brewline reads the primitive types of PROTOCOL.md; read this table with Spark',
  });
}

export const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const quoteString = (text: string): string => `'${text.replace(/'/g, "''")}'`;
