import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { ExternalError } from '../../errors.js';
import { toJsonSafe } from '../duckdb/json-values.js';
import { LAKEHOUSE_DDL } from '../duckdb/schema.js';
import type { LakehouseReader, QueryResult } from '../types.js';
import {
  isDeltaTable,
  latestVersion,
  readDeltaSnapshot,
  type CheckpointReader,
  type DeltaSnapshot,
} from './delta-log.js';
import { duckdbType, quoteIdent, quoteString } from './delta-types.js';

export interface DeltaLakehouseReaderOptions {
  /** The lakehouse folder: Delta tables at `<dir>/<schema>/<table>/_delta_log`. */
  readonly dir: string;
  /**
   * `brewline query`: the user's SQL may read the lakehouse folder and nothing else: no other file, no
   * extension, no setting, and only reading statements (the in-memory database has no read-only mode, and
   * the folder itself must stay readable for the views). @default false
   */
  readonly sandboxed?: boolean;
}

/** Statements a sandboxed reader runs: reads (SELECT covers DESCRIBE, SHOW, SUMMARIZE, PRAGMA reads) and EXPLAIN. */
const READING_STATEMENTS = new Set(['SELECT', 'EXPLAIN']);

/** True when `dir` looks like a Delta lakehouse: some `<schema>/<table>/_delta_log` below it. */
export function isDeltaLakehouse(dir: string): boolean {
  return discoverTables(dir).length > 0;
}

function discoverTables(dir: string): { schema: string; table: string; path: string }[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  const found: { schema: string; table: string; path: string }[] = [];
  for (const schema of readdirSync(dir, { withFileTypes: true })) {
    if (!schema.isDirectory() || schema.name.startsWith('_') || schema.name.startsWith('.')) continue;
    for (const table of readdirSync(join(dir, schema.name), { withFileTypes: true })) {
      const path = join(dir, schema.name, table.name);
      if (table.isDirectory() && isDeltaTable(path))
        found.push({ schema: schema.name, table: table.name, path });
    }
  }
  return found;
}

/**
 * A read-only SQL view of a local directory of Delta tables (what the local Spark pipeline writes): each
 * table is a view `schema.table` over DuckDB's built-in `read_parquet` of its active files, in an in-memory
 * DuckDB. Before every query the views follow the tables' newest committed versions (a directory listing per
 * table), so a live dashboard sees each new micro-batch; a version is only ever read whole. Tables the
 * lakehouse layout defines but Spark has not created yet read as empty tables of the embedded layout.
 */
export class DeltaLakehouseReader implements LakehouseReader {
  readonly kind = 'delta';
  readonly description: string;
  private readonly dir: string;
  private readonly sandboxed: boolean;
  private instance: DuckDBInstance | undefined;
  private connection: DuckDBConnection | undefined;
  private readonly versions = new Map<string, number>();
  private readonly layout = new Set<string>();

  constructor(options: DeltaLakehouseReaderOptions) {
    this.dir = resolve(options.dir);
    this.sandboxed = options.sandboxed ?? false;
    this.description = `Delta lakehouse ${this.dir}`;
  }

  async open(): Promise<void> {
    if (this.connection) return;
    if (!existsSync(this.dir)) {
      throw new ExternalError(`no lakehouse at ${this.dir}`, {
        hint: 'run `brewline pipeline run --engine spark --lakehouse DIR` first, or point --lakehouse at an existing folder',
      });
    }
    const { DuckDBInstance } = await import('@duckdb/node-api');
    this.instance = await DuckDBInstance.create(
      ':memory:',
      this.sandboxed
        ? {
            autoload_known_extensions: 'false',
            autoinstall_known_extensions: 'false',
            allow_community_extensions: 'false',
          }
        : {},
    );
    this.connection = await this.instance.connect();
    // The embedded lakehouse's layout, for tables the Spark job has not created yet.
    await this.connection.run(`SET TimeZone = 'UTC'; ATTACH ':memory:' AS layout; USE layout;`);
    await this.connection.run(LAKEHOUSE_DDL);
    await this.connection.run('USE memory;');
    const tables = await this.connection.runAndReadAll(
      `SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'layout'`,
    );
    for (const [schema, table] of tables.getRows()) this.layout.add(`${String(schema)}.${String(table)}`);
    if (this.sandboxed) {
      // Files below the lakehouse folder only (DuckDB checks each path's prefix), then no more changes.
      await this.connection.run(
        `SET allowed_directories = [${quoteString(`${this.dir}/`)}]; SET enable_external_access = false; SET lock_configuration = true;`,
      );
    }
    await this.refresh();
  }

  async query(sql: string): Promise<QueryResult> {
    await this.open();
    await this.refresh();
    if (this.sandboxed) await this.refuseWrites(sql);
    const reader = await this.connection!.runAndReadAll(sql);
    return { columns: reader.columnNames(), rows: reader.getRows().map((row) => row.map(toJsonSafe)) };
  }

  async close(): Promise<void> {
    this.connection?.closeSync();
    this.connection = undefined;
    this.instance?.closeSync();
    this.instance = undefined;
  }

  /** Throws unless every statement of `sql` only reads (preparing a statement does not run it). */
  private async refuseWrites(sql: string): Promise<void> {
    const { StatementType } = await import('@duckdb/node-api');
    const statements = await this.connection!.extractStatements(sql);
    for (let i = 0; i < statements.count; i++) {
      const prepared = await statements.prepare(i);
      const type = StatementType[prepared.statementType] ?? String(prepared.statementType);
      prepared.destroySync();
      if (!READING_STATEMENTS.has(type))
        throw new ExternalError(`Permission Error: ${type} statements are refused in read-only mode`);
    }
  }

  /** Points every view at its table's newest version (only tables whose version moved are re-read). */
  private async refresh(): Promise<void> {
    const conn = this.connection!;
    const present = new Set<string>();
    for (const { schema, table, path } of discoverTables(this.dir)) {
      const name = `${schema}.${table}`;
      present.add(name);
      const version = latestVersion(path);
      if (this.versions.get(name) === version) continue;
      const snapshot = await readDeltaSnapshot(path, this.checkpointReader);
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await conn.run(
        `CREATE OR REPLACE VIEW ${quoteIdent(schema)}.${quoteIdent(table)} AS ${viewSql(snapshot)}`,
      );
      this.versions.set(name, snapshot.version);
    }
    for (const name of this.layout) {
      if (present.has(name) || this.versions.get(name) === -1) continue;
      const [schema, table] = name.split('.') as [string, string];
      await conn.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(schema)}`);
      await conn.run(
        `CREATE OR REPLACE VIEW ${quoteIdent(schema)}.${quoteIdent(table)} AS SELECT * FROM layout.${quoteIdent(schema)}.${quoteIdent(table)}`,
      );
      this.versions.set(name, -1);
    }
  }

  private readonly checkpointReader: CheckpointReader = async (paths) => {
    const list = `[${paths.map(quoteString).join(', ')}]`;
    const result = await this.connection!.runAndReadAll(
      `SELECT to_json(c)::VARCHAR FROM read_parquet(${list}, union_by_name = true) c`,
    );
    const out: Awaited<ReturnType<CheckpointReader>> = [];
    for (const [json] of result.getRows()) {
      const row = JSON.parse(String(json)) as Record<string, unknown>;
      for (const action of ['add', 'remove', 'metaData', 'protocol'] as const) {
        if (row[action] !== null && row[action] !== undefined)
          out.push({ action, json: JSON.stringify(row[action]) });
      }
    }
    return out;
  };
}

/** The SELECT behind one table's view: its active files, every column cast to its declared type. */
export function viewSql(snapshot: DeltaSnapshot): string {
  const partitioned = new Set(snapshot.partitionColumns);
  const column = (name: string, type: unknown, from: string): string => {
    const target = duckdbType(type);
    return target === undefined
      ? `${from} AS ${quoteIdent(name)}`
      : `CAST(${from} AS ${target}) AS ${quoteIdent(name)}`;
  };
  if (snapshot.files.length === 0) {
    const cols = snapshot.schema.map((f) => column(f.name, f.type, 'NULL'));
    return `SELECT ${cols.join(', ')} WHERE false`;
  }
  // Partition values live only in the log: one SELECT per distinct set of values.
  const groups = new Map<string, { values: Readonly<Record<string, string | null>>; paths: string[] }>();
  for (const file of snapshot.files) {
    const key = JSON.stringify(snapshot.partitionColumns.map((c) => file.partitionValues[c] ?? null));
    const group = groups.get(key) ?? { values: file.partitionValues, paths: [] };
    group.paths.push(file.path);
    groups.set(key, group);
  }
  const selects = [...groups.values()].map(({ values, paths }) => {
    const cols = snapshot.schema.map((f) => {
      if (!partitioned.has(f.name)) return column(f.name, f.type, quoteIdent(f.name));
      const value = values[f.name];
      return column(f.name, f.type, value === null || value === undefined ? 'NULL' : quoteString(value));
    });
    return `SELECT ${cols.join(', ')} FROM read_parquet([${paths.map(quoteString).join(', ')}], union_by_name = true)`;
  });
  return selects.join(' UNION ALL ');
}
