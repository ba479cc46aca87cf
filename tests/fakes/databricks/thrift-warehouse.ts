import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { DuckDBInstance, type DuckDBConnection, type DuckDBValue } from '@duckdb/node-api';

/**
 * The SQL endpoint of a Databricks SQL warehouse, answered by `@databricks/sql`'s own generated Thrift processor
 * (TCLIService) on the bytes the real client sends, and backed by a real DuckDB holding the lakehouse tables: the
 * client's statements run as real SQL with their named parameters bound (never spliced). It announces
 * SPARK_CLI_SERVICE_PROTOCOL_V8, so the client sends parameters (TSparkParameter), and returns column-based
 * results with 1-based column positions, an empty last FetchResults batch with hasMoreRows false, and valid UUID
 * bytes in every handle. Faults are switches: SQL errors, a slow warehouse (RUNNING for N status polls), an
 * expired session, small fetch batches for large results.
 */

const require = createRequire(import.meta.url);
const thrift = require('thrift') as {
  TBufferedTransport: {
    new (buffer: Buffer | undefined, onFlush: (buf: Buffer) => void): unknown;
    receiver(callback: (transport: { commitPosition(): void }) => void): (data: Buffer) => void;
  };
  TBinaryProtocol: new (transport: unknown) => unknown;
};
const TCLIService = require('@databricks/sql/thrift/TCLIService.js') as {
  Processor: new (handler: object) => { process(input: unknown, output: unknown): void };
};
const T = require('@databricks/sql/thrift/TCLIService_types.js') as Record<string, Record<string, number>>;
const Int64 = require('node-int64') as new (value: number) => unknown;

const OK = { statusCode: T['TStatusCode']!['SUCCESS_STATUS'] };
const PROTOCOL_V8 = T['TProtocolVersion']!['SPARK_CLI_SERVICE_PROTOCOL_V8']!;

interface Handle {
  guid: Buffer;
  secret: Buffer;
}

interface StoredResult {
  columns: { name: string; type: number; precision?: number | undefined; scale?: number | undefined }[];
  rows: (readonly unknown[])[];
  fetched: number;
  pendingPolls: number;
}

/** What the fake saw, for assertions (statements with their bound parameters). */
export interface ExecutedStatement {
  readonly sql: string;
  readonly parameters: Readonly<Record<string, string | null>>;
  readonly session: string;
}

export interface FakeWarehouseFaults {
  /** Status polls an operation stays RUNNING before FINISHED (a slow warehouse). */
  runningPolls?: number;
  /** The next statement fails as if the warehouse had expired the session (once, then cleared). */
  expireSessionOnce?: boolean;
  /** The next N statements each find their session expired (a warehouse that keeps dropping sessions). */
  expireNextStatements?: number;
  /** Every statement fails with this SQL error (sqlState 42000) while set. */
  sqlError?: string;
  /** Rows per FetchResults batch (large results span many fetches). @default 10_000 */
  fetchBatchRows?: number;
}

function uuidBytes(): Buffer {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex');
}

function handleKey(guid: Buffer | undefined): string {
  return guid ? guid.toString('hex') : '';
}

/** Databricks `:name` markers → DuckDB `$name`, outside quotes and comments; `::` casts stay. */
export function duckdbParameters(sql: string): string {
  let out = '';
  for (let i = 0; i < sql.length; i++) {
    const c = sql[i]!;
    if (c === "'" || c === '"' || c === '`') {
      const end = sql.indexOf(c, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop - 1;
    } else if (c === ':' && sql[i + 1] === ':') {
      out += '::';
      i++;
    } else if (c === ':' && /[A-Za-z_]/.test(sql[i + 1] ?? '')) {
      out += '$';
    } else {
      out += c;
    }
  }
  return out;
}

/** Databricks SQL functions the brewline reader uses that DuckDB names differently. */
const DATABRICKS_MACROS = `
CREATE OR REPLACE MACRO unix_millis(ts) AS epoch_ms(ts);
`;

function ttype(duckType: string): number {
  const t = duckType.toUpperCase();
  const id = T['TTypeId']!;
  if (t === 'BIGINT' || t === 'HUGEINT' || t === 'UBIGINT') return id['BIGINT_TYPE']!;
  if (t === 'INTEGER' || t === 'SMALLINT' || t === 'TINYINT') return id['INT_TYPE']!;
  if (t === 'DOUBLE' || t === 'FLOAT') return id['DOUBLE_TYPE']!;
  if (t === 'BOOLEAN') return id['BOOLEAN_TYPE']!;
  if (t.startsWith('DECIMAL')) return id['DECIMAL_TYPE']!;
  if (t.startsWith('TIMESTAMP')) return id['TIMESTAMP_TYPE']!;
  if (t === 'DATE') return id['DATE_TYPE']!;
  return id['STRING_TYPE']!;
}

/** A DuckDB cell as Databricks' column-based results carry it. */
function cellValue(value: DuckDBValue, type: number): unknown {
  if (value === null) return null;
  const id = T['TTypeId']!;
  if (type === id['BIGINT_TYPE'] || type === id['INT_TYPE']) return Number(value as bigint | number);
  if (type === id['DOUBLE_TYPE']) return Number(value);
  if (type === id['BOOLEAN_TYPE']) return Boolean(value);
  if (type === id['TIMESTAMP_TYPE']) {
    // Spark prints TIMESTAMP in the session time zone (UTC here) without a zone: 2026-11-20 01:15:00.123
    const text = String(value);
    return text.replace(/\+00(:00)?$/, '');
  }
  return String(value);
}

function column(type: number, values: unknown[]): Record<string, unknown> {
  const nulls = Buffer.alloc(Math.ceil(values.length / 8));
  values.forEach((v, i) => {
    if (v === null) nulls[i >> 3]! |= 1 << (i & 7);
  });
  const id = T['TTypeId']!;
  if (type === id['BIGINT_TYPE'])
    return { i64Val: { values: values.map((v) => new Int64(v === null ? 0 : (v as number))), nulls } };
  if (type === id['INT_TYPE']) return { i32Val: { values: values.map((v) => (v ?? 0) as number), nulls } };
  if (type === id['DOUBLE_TYPE'])
    return { doubleVal: { values: values.map((v) => (v ?? 0) as number), nulls } };
  if (type === id['BOOLEAN_TYPE']) return { boolVal: { values: values.map((v) => Boolean(v)), nulls } };
  return { stringVal: { values: values.map((v) => (v === null ? '' : String(v))), nulls } };
}

export class FakeThriftWarehouse {
  readonly faults: FakeWarehouseFaults = {};
  readonly executed: ExecutedStatement[] = [];
  /** Sessions opened so far (a reopened session shows as a second one). */
  openedSessions = 0;
  private readonly sessions = new Set<string>();
  private readonly results = new Map<string, StoredResult>();
  private readonly processor: { process(input: unknown, output: unknown): void };
  private connection: DuckDBConnection | undefined;

  private constructor(
    private readonly instance: DuckDBInstance,
    connection: DuckDBConnection,
  ) {
    this.connection = connection;
    this.processor = new TCLIService.Processor(this.handler());
  }

  /** A warehouse over a DuckDB file (read-only unless `writable`) or a fresh in-memory database; `setupSql` runs first. */
  static async create(
    options: { duckdbPath?: string; setupSql?: string; writable?: boolean } = {},
  ): Promise<FakeThriftWarehouse> {
    const instance = await DuckDBInstance.create(
      options.duckdbPath ?? ':memory:',
      options.duckdbPath && !options.writable ? { access_mode: 'READ_ONLY' } : {},
    );
    const connection = await instance.connect();
    await connection.run(
      DATABRICKS_MACROS.replace('CREATE OR REPLACE MACRO', 'CREATE OR REPLACE TEMP MACRO'),
    );
    if (options.setupSql) await connection.run(options.setupSql);
    return new FakeThriftWarehouse(instance, connection);
  }

  /** Runs SQL on the backing DuckDB directly (to compare what the client shows with what the fake holds). */
  async direct(sql: string): Promise<unknown[][]> {
    const reader = await this.conn().runAndReadAll(sql);
    return reader
      .getRows()
      .map((r) => r.map((v) => (v === null ? null : typeof v === 'bigint' ? Number(v) : String(v))));
  }

  /** Answers one Thrift HTTP request body. */
  handle(body: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      try {
        thrift.TBufferedTransport.receiver((transportWithData) => {
          const input = new thrift.TBinaryProtocol(transportWithData);
          const output = new thrift.TBinaryProtocol(
            new thrift.TBufferedTransport(undefined, (buf) => resolve(buf)),
          );
          this.processor.process(input, output);
          transportWithData.commitPosition();
        })(body);
      } catch (error) {
        reject(error as Error);
      }
    });
  }

  async close(): Promise<void> {
    this.connection?.closeSync();
    this.connection = undefined;
    this.instance.closeSync();
  }

  private conn(): DuckDBConnection {
    if (!this.connection) throw new Error('fake warehouse closed');
    return this.connection;
  }

  private error(message: string, sqlState = '42000'): Record<string, unknown> {
    return { statusCode: T['TStatusCode']!['ERROR_STATUS'], errorMessage: message, sqlState };
  }

  private handler(): object {
    // Each handler takes exactly one argument: the generated processor then uses its promise style.
    return {
      OpenSession: async (req: { client_protocol?: number }) => {
        void req;
        const guid = uuidBytes();
        this.sessions.add(handleKey(guid));
        this.openedSessions++;
        return {
          status: OK,
          serverProtocolVersion: PROTOCOL_V8,
          sessionHandle: { sessionId: { guid, secret: uuidBytes() } },
          configuration: {},
        };
      },
      CloseSession: async (req: { sessionHandle?: { sessionId?: Handle } }) => {
        this.sessions.delete(handleKey(req.sessionHandle?.sessionId?.guid));
        return { status: OK };
      },
      GetInfo: async () => ({ status: OK, infoValue: { stringValue: 'Databricks SQL (brewline fake)' } }),
      ExecuteStatement: async (req: {
        sessionHandle?: { sessionId?: Handle };
        statement: string;
        parameters?: { name?: string; type?: string; value?: { stringValue?: string | null } }[];
      }) => {
        const session = handleKey(req.sessionHandle?.sessionId?.guid);
        if (this.faults.expireSessionOnce) {
          this.faults.expireSessionOnce = false;
          this.sessions.delete(session);
        }
        if ((this.faults.expireNextStatements ?? 0) > 0) {
          this.faults.expireNextStatements! -= 1;
          this.sessions.delete(session);
        }
        if (!this.sessions.has(session)) {
          return { status: this.error(`Invalid SessionHandle: SessionHandle [${session}]`, 'HY000') };
        }
        const parameters: Record<string, string | null> = {};
        for (const p of req.parameters ?? []) {
          if (p.name !== undefined) parameters[p.name] = p.value?.stringValue ?? null;
        }
        this.executed.push({ sql: req.statement, parameters, session });
        if (this.faults.sqlError !== undefined) return { status: this.error(this.faults.sqlError) };
        let stored: StoredResult;
        try {
          const reader = await this.conn().runAndReadAll(duckdbParameters(req.statement), parameters);
          const names = reader.columnNames();
          const duckTypes = reader.columnTypes().map((t) => t.toString());
          const types = duckTypes.map(ttype);
          stored = {
            columns: names.map((name, i) => {
              const decimal = /^DECIMAL\((\d+),(\d+)\)$/.exec(duckTypes[i]!.replace(/\s/g, ''));
              return {
                name,
                type: types[i]!,
                precision: decimal ? Number(decimal[1]) : undefined,
                scale: decimal ? Number(decimal[2]) : undefined,
              };
            }),
            rows: reader.getRows().map((row) => row.map((v, i) => cellValue(v, types[i]!))),
            fetched: 0,
            pendingPolls: this.faults.runningPolls ?? 0,
          };
        } catch (error) {
          const message = (error as Error).message.split('\n')[0] ?? 'error';
          const missing = /does not exist|not found/i.test(message);
          return {
            status: this.error(
              missing ? `[TABLE_OR_VIEW_NOT_FOUND] ${message}` : `[PARSE_SYNTAX_ERROR] ${message}`,
              missing ? '42P01' : '42601',
            ),
          };
        }
        const guid = uuidBytes();
        this.results.set(handleKey(guid), stored);
        return {
          status: OK,
          operationHandle: {
            operationId: { guid, secret: uuidBytes() },
            operationType: T['TOperationType']!['EXECUTE_STATEMENT'],
            hasResultSet: true,
          },
        };
      },
      GetOperationStatus: async (req: { operationHandle?: { operationId?: Handle } }) => {
        const stored = this.results.get(handleKey(req.operationHandle?.operationId?.guid));
        if (!stored) return { status: this.error('Invalid OperationHandle', 'HY000') };
        if (stored.pendingPolls > 0) {
          stored.pendingPolls--;
          return { status: OK, operationState: T['TOperationState']!['RUNNING_STATE'], hasResultSet: true };
        }
        return { status: OK, operationState: T['TOperationState']!['FINISHED_STATE'], hasResultSet: true };
      },
      GetResultSetMetadata: async (req: { operationHandle?: { operationId?: Handle } }) => {
        const stored = this.results.get(handleKey(req.operationHandle?.operationId?.guid));
        if (!stored) return { status: this.error('Invalid OperationHandle', 'HY000') };
        return {
          status: OK,
          resultFormat: T['TSparkRowSetType']!['COLUMN_BASED_SET'],
          schema: {
            columns: stored.columns.map((c, i) => ({
              columnName: c.name,
              typeDesc: {
                types: [
                  {
                    primitiveEntry: {
                      type: c.type,
                      ...(c.scale === undefined
                        ? {}
                        : {
                            typeQualifiers: {
                              qualifiers: {
                                precision: { i32Value: c.precision },
                                scale: { i32Value: c.scale },
                              },
                            },
                          }),
                    },
                  },
                ],
              },
              position: i + 1,
            })),
          },
        };
      },
      FetchResults: async (req: { operationHandle?: { operationId?: Handle }; maxRows?: unknown }) => {
        const stored = this.results.get(handleKey(req.operationHandle?.operationId?.guid));
        if (!stored) return { status: this.error('Invalid OperationHandle', 'HY000') };
        const batch = Math.max(
          1,
          Math.min(Number(req.maxRows ?? 10_000) || 10_000, this.faults.fetchBatchRows ?? 10_000),
        );
        const slice = stored.rows.slice(stored.fetched, stored.fetched + batch);
        const start = stored.fetched;
        stored.fetched += slice.length;
        return {
          status: OK,
          // After the data an empty batch with hasMoreRows false, or the client fetches forever.
          hasMoreRows: slice.length > 0,
          results: {
            startRowOffset: new Int64(start),
            rows: [],
            columns: stored.columns.map((c, i) =>
              column(
                c.type,
                slice.map((r) => r[i] ?? null),
              ),
            ),
          },
        };
      },
      CloseOperation: async (req: { operationHandle?: { operationId?: Handle } }) => {
        this.results.delete(handleKey(req.operationHandle?.operationId?.guid));
        return { status: OK };
      },
      CancelOperation: async (req: { operationHandle?: { operationId?: Handle } }) => {
        this.results.delete(handleKey(req.operationHandle?.operationId?.guid));
        return { status: OK };
      },
    };
  }
}
