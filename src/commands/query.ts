import type { Command } from 'commander';
import { openLakehouseReader } from '../backends/lakehouse-readers.js';
import { BrewlineError, ConfigError, ExternalError } from '../errors.js';
import { textTable } from '../verify/report-table.js';
import { action, flagValues, resolveConfig } from './shared.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** `--param name=value` pairs as named parameters. */
function namedParams(pairs: readonly string[]): Record<string, string> {
  const params: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(pair.slice(0, eq))) {
      throw new ConfigError(`--param: expected name=value, got ${JSON.stringify(pair)}`, {
        hint: 'e.g. --param branch=Jhamsikhel with WHERE branch = :branch in the SQL',
      });
    }
    params[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return params;
}

export function registerQuery(program: Command): Command {
  return program
    .command('query')
    .description('run read-only SQL against the lakehouse, e.g. "SELECT * FROM gold.hourly_sales"')
    .argument('<sql>', 'the SQL to run')
    .option('--json', 'print rows as JSON objects, one per line (DECIMAL as strings, TIMESTAMP as ISO)')
    .option(
      '--lakehouse <path>',
      'DuckDB file, Delta lakehouse folder, or "databricks" (a SQL warehouse; default .brewline/lakehouse.duckdb; env BREWLINE_LAKEHOUSE)',
    )
    .option(
      '--param <name=value>',
      '--lakehouse databricks: bind :name in the SQL to value (repeatable; never spliced into the text)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--profile <name>', '--lakehouse databricks: ~/.databrickscfg profile')
    .action(
      action(async (sql: string, _opts: unknown, command: Command) => {
        const config = resolveConfig(command, flagValues(command, { lakehouse: 'pipeline.lakehouse' }));
        const lakehouse = await openLakehouseReader(config.pipeline.lakehouse, {
          profile: command.opts<{ profile?: string }>().profile,
        });
        try {
          const params = namedParams(command.opts<{ param?: string[] }>().param ?? []);
          if (Object.keys(params).length > 0 && !lakehouse.queryWithParams) {
            throw new ConfigError(
              `--param needs a lakehouse that binds parameters (${lakehouse.kind} does not)`,
              {
                hint: 'use --lakehouse databricks, or write the value into the SQL',
              },
            );
          }
          let result;
          try {
            result =
              Object.keys(params).length > 0 && lakehouse.queryWithParams
                ? await lakehouse.queryWithParams(sql, params)
                : await lakehouse.query(sql);
          } catch (error) {
            // A sign-in or warehouse line from the Databricks reader is already what to do; only SQL errors get the table hint.
            if (lakehouse.kind === 'databricks' && error instanceof BrewlineError && !('sqlError' in error)) {
              throw error;
            }
            throw new ExternalError(`query failed: ${(error as Error).message.split('\n')[0]}`, {
              hint: 'tables: bronze.orders_raw, silver.order_items, silver.quarantine, gold.branch_revenue, gold.product_popularity, gold.hourly_sales, ops.stream_progress',
            });
          }
          if (command.opts<{ json?: boolean }>().json) {
            for (const row of result.rows) {
              process.stdout.write(
                `${JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c, row[i]])))}\n`,
              );
            }
          } else {
            process.stdout.write(
              `${textTable(
                result.columns,
                result.rows.map((r) => r.map(cell)),
              )}\n`,
            );
            process.stdout.write(`(${result.rows.length} row${result.rows.length === 1 ? '' : 's'})\n`);
          }
        } finally {
          await lakehouse.close();
        }
        return 0;
      }),
    );
}
