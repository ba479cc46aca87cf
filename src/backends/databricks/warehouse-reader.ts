import type { DBSQLClient } from '@databricks/sql';
import type { Clock } from '../../domain/clock.js';
import { ConfigError, ExternalError } from '../../errors.js';
import type { LakehouseReader, QueryParameter, QueryResult } from '../types.js';
import type { DatabricksSettings } from './databricks-config.js';
import { DriverLog } from './driver-log.js';
import { refusedTokenLine, type DatabricksRestClient } from './rest-client.js';
import type { TokenSource } from './token-source.js';
import { ensureWarehouseRunning } from './warehouse.js';

/** The warehouse ran the statement and refused it (syntax, a missing table): the SQL's fault, not the sign-in's. */
export class WarehouseSqlError extends ExternalError {
  readonly sqlError = true;
}

type IDBSQLSession = Awaited<ReturnType<DBSQLClient['openSession']>>;

export interface WarehouseReaderOptions {
  readonly settings: DatabricksSettings;
  readonly tokens: TokenSource;
  readonly rest: DatabricksRestClient;
  readonly log?: DriverLog;
  /** One line for the user before the first query (a warehouse starting). */
  readonly notice?: (line: string) => void;
  /** Options of `ensureWarehouseRunning` (tests shorten the waits or pass a clock). */
  readonly warehouseWait?: {
    readonly timeoutMs?: number;
    readonly pollMs?: number;
    readonly start?: boolean;
    readonly clock?: Clock;
  };
  /** Extra `connect()` options (tests: `customCaCert`). */
  readonly connect?: Readonly<Record<string, unknown>>;
  /** Catalog the session starts in (table names are `schema.table`). */
  readonly catalog?: string | undefined;
}

/** Thrift error texts of a session the warehouse no longer knows (idle timeout, warehouse restart). */
const EXPIRED_SESSION = /invalid sessionhandle|session.{0,40}(expired|closed|not found|does not exist)/i;

/**
 * A `LakehouseReader` on a Databricks SQL warehouse through `@databricks/sql` (Thrift over HTTPS): one long-lived
 * session, reopened once when the warehouse has expired it; user values only ever as bound named parameters.
 * Results follow the seam's JSON-safe rules: DECIMAL as exact strings, BIGINT as numbers when safe, TIMESTAMP as
 * ISO-8601 UTC.
 */
export class WarehouseReader implements LakehouseReader {
  readonly kind = 'databricks';
  readonly description: string;
  private readonly options: WarehouseReaderOptions;
  private readonly log: DriverLog;
  private client: DBSQLClient | undefined;
  private session: IDBSQLSession | undefined;
  private opening: Promise<IDBSQLSession> | undefined;
  private path: string | undefined;

  constructor(options: WarehouseReaderOptions) {
    this.options = options;
    this.log = options.log ?? new DriverLog({ file: process.env['BREWLINE_DATABRICKS_LOG'] });
    const where = options.settings.warehouseId
      ? `warehouse ${options.settings.warehouseId}`
      : (options.settings.httpPath ?? '?');
    this.description = `Databricks SQL ${new URL(options.settings.host).hostname} ${where}`;
  }

  query(sql: string): Promise<QueryResult> {
    return this.run(sql, {});
  }

  queryWithParams(sql: string, params: Readonly<Record<string, QueryParameter>>): Promise<QueryResult> {
    return this.run(sql, params);
  }

  async close(): Promise<void> {
    const session = this.session;
    const client = this.client;
    this.session = undefined;
    this.client = undefined;
    this.opening = undefined;
    await session?.close().catch(() => undefined);
    await client?.close().catch(() => undefined);
  }

  private async run(sql: string, params: Readonly<Record<string, QueryParameter>>): Promise<QueryResult> {
    let session = await this.open();
    try {
      return await this.execute(session, sql, params);
    } catch (error) {
      if (!EXPIRED_SESSION.test(messageOf(error))) throw this.translate(error);
      // Into the driver log only: a line on the terminal here would land in the middle of the dashboard.
      this.log.write('warn', `session expired (${messageOf(error)}); reopening`);
      this.session = undefined;
      await session.close().catch(() => undefined);
      session = await this.open();
      try {
        return await this.execute(session, sql, params);
      } catch (again) {
        if (EXPIRED_SESSION.test(messageOf(again))) {
          this.session = undefined;
          throw new ExternalError(
            `the SQL warehouse ${this.options.settings.warehouseId ?? this.path ?? ''} expired brewline's new session at once: check that it is running (SQL Warehouses → Monitoring), then run the command again`,
            { retriable: true },
          );
        }
        throw this.translate(again);
      }
    }
  }

  private async execute(
    session: IDBSQLSession,
    sql: string,
    params: Readonly<Record<string, QueryParameter>>,
  ): Promise<QueryResult> {
    const operation = await session.executeStatement(sql, {
      ...(Object.keys(params).length > 0 ? { namedParameters: params as Record<string, string> } : {}),
    });
    try {
      const schema = await operation.getSchema();
      const columns = (schema?.columns ?? [])
        .slice()
        .sort((a, b) => a.position - b.position)
        .map((c) => {
          const entry = c.typeDesc?.types?.[0]?.primitiveEntry;
          return {
            name: c.columnName,
            type: typeName(entry?.type),
            scale: entry?.typeQualifiers?.qualifiers?.['scale']?.i32Value,
          };
        });
      const rows = (await operation.fetchAll()) as Record<string, unknown>[];
      return {
        columns: columns.map((c) => c.name),
        rows: rows.map((row) => columns.map((c) => jsonSafe(row[c.name], c.type, c.scale))),
      };
    } finally {
      await operation.close().catch(() => undefined);
    }
  }

  private open(): Promise<IDBSQLSession> {
    if (this.session) return Promise.resolve(this.session);
    this.opening ??= this.connect()
      .then((session) => {
        this.session = session;
        return session;
      })
      .finally(() => {
        this.opening = undefined;
      });
    return this.opening;
  }

  private async connect(): Promise<IDBSQLSession> {
    const { settings, rest, tokens } = this.options;
    if (this.path === undefined) {
      if (settings.warehouseId !== undefined) {
        const info = await ensureWarehouseRunning({
          rest,
          warehouseId: settings.warehouseId,
          ...(this.options.notice ? { notice: this.options.notice } : {}),
          ...this.options.warehouseWait,
        });
        this.path =
          settings.httpPath ?? info.odbc_params?.path ?? `/sql/1.0/warehouses/${settings.warehouseId}`;
      } else if (settings.httpPath !== undefined) {
        this.path = settings.httpPath;
      } else {
        throw new ConfigError('no SQL warehouse chosen', {
          hint: 'set DATABRICKS_WAREHOUSE_ID (or DATABRICKS_HTTP_PATH), or warehouse_id in the ~/.databrickscfg profile',
        });
      }
    }
    if (this.client === undefined) {
      const sqlModule = (await import('@databricks/sql')) as unknown as {
        DBSQLClient?: typeof DBSQLClient;
        default?: { DBSQLClient: typeof DBSQLClient };
      };
      const Client = sqlModule.DBSQLClient ?? sqlModule.default!.DBSQLClient;
      const client = new Client({ logger: this.log.logger as never });
      try {
        await client.connect({
          host: new URL(settings.host).hostname,
          path: this.path,
          authType: 'external-token',
          getToken: () => tokens.token(),
          telemetryEnabled: false,
          preserveBigNumericPrecision: true,
          retryMaxAttempts: 3,
          retriesTimeout: 30_000,
          retryDelayMin: 200,
          retryDelayMax: 2000,
          userAgentEntry: 'brewline',
          ...this.options.connect,
        } as Parameters<DBSQLClient['connect']>[0]);
      } catch (error) {
        throw this.translate(error);
      }
      this.client = client;
    }
    try {
      return await this.client.openSession({
        ...(this.options.catalog ? { initialCatalog: this.options.catalog } : {}),
        configuration: { TIMEZONE: 'UTC' },
      });
    } catch (error) {
      throw this.translate(error);
    }
  }

  /** One line for the failures a user can fix; the driver's own text otherwise. */
  private translate(error: unknown): Error {
    if (error instanceof ExternalError || error instanceof ConfigError) return error;
    const status = (error as { statusCode?: unknown }).statusCode;
    const message = messageOf(error);
    if (
      status === 401 ||
      status === 403 ||
      /\b(401|403)\b.*(unauthori[sz]ed|forbidden)|invalid access token/i.test(message)
    ) {
      return new ExternalError(
        refusedTokenLine(
          this.options.settings.host,
          this.options.settings.credentials,
          typeof status === 'number' ? status : 401,
        ),
      );
    }
    if (status === 404) {
      return new ConfigError(
        `no SQL endpoint at ${this.path ?? '?'} on ${this.options.settings.host}: set DATABRICKS_WAREHOUSE_ID (or DATABRICKS_HTTP_PATH) to a warehouse of this workspace`,
      );
    }
    return new WarehouseSqlError(`Databricks SQL: ${message.split('\n')[0]}`);
  }
}

/** The driver's StatusError is a plain object with `message`, not an Error. */
function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}

/** TTypeId names the results are normalised by. */
function typeName(id: number | undefined): string {
  // TTypeId: BIGINT 4, TIMESTAMP 8, DECIMAL 15, DATE 17.
  switch (id) {
    case 4:
      return 'BIGINT';
    case 8:
      return 'TIMESTAMP';
    case 15:
      return 'DECIMAL';
    case 17:
      return 'DATE';
    default:
      return 'OTHER';
  }
}

/** The seam's JSON-safe values (QueryResult). */
export function jsonSafe(value: unknown, type: string, scale?: number): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint')
    return Number.isSafeInteger(Number(value)) ? Number(value) : value.toString();
  if (value instanceof Date) return value.toISOString();
  if (type === 'TIMESTAMP' && typeof value === 'string') {
    // Column-based results carry TIMESTAMP as text in the session time zone (UTC): "2026-11-20 01:15:00[.fff]".
    const iso = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(value)
      ? `${value.replace(' ', 'T')}Z`
      : value;
    const ms = Date.parse(iso);
    return Number.isNaN(ms) ? value : new Date(ms).toISOString();
  }
  // Column-based results turn DECIMAL into a JS number: give it back its scale ("185.00"). Exact up to 2^53
  // units of the last digit; brewline's own queries cast money to STRING so they never depend on this.
  if (type === 'DECIMAL' && typeof value === 'number') {
    return scale === undefined ? String(value) : value.toFixed(scale);
  }
  if (typeof value === 'object' && !Array.isArray(value)) {
    const text = (value as { toString(): string }).toString();
    return text === '[object Object]' ? JSON.stringify(value) : text;
  }
  return value;
}
