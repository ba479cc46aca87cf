import { appendFileSync } from 'node:fs';
import { redact } from '../../errors.js';

/** Levels of `@databricks/sql`'s IDBSQLLogger. */
export type DriverLogLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * Where the SQL driver's log goes: never the terminal (its default winston logger writes JSON to stdout and
 * installs exception handlers, which would wreck the dashboard). Lines are kept in a small ring so an error
 * can show what led to it, and appended to `BREWLINE_DATABRICKS_LOG` when that names a file.
 */
export class DriverLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly options: {
      readonly file?: string | undefined;
      readonly keep?: number;
      readonly level?: DriverLogLevel;
    } = {},
  ) {}

  /** The IDBSQLLogger the driver gets. */
  readonly logger = {
    log: (level: string, message: string): void => this.write(level as DriverLogLevel, message),
  };

  write(level: DriverLogLevel, message: string): void {
    const order: Record<DriverLogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };
    if (order[level] > order[this.options.level ?? 'info']) return;
    const line = redact(`${new Date().toISOString()} ${level} ${message}`);
    this.lines.push(line);
    if (this.lines.length > (this.options.keep ?? 200)) this.lines.shift();
    if (this.options.file) {
      try {
        appendFileSync(this.options.file, `${line}\n`);
      } catch {
        // A log file we cannot write must not break a query.
      }
    }
  }

  recent(): readonly string[] {
    return this.lines;
  }
}
