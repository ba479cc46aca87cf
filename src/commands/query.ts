import type { Command } from 'commander';
import { openLakehouseReader } from '../backends/lakehouse-readers.js';
import { positiveInt } from '../config/fields.js';
import { BrewlineError, ConfigError, ExternalError } from '../errors.js';
import { DEFAULT_MAX_CELL_WIDTH, tableLines, writeLines } from './query-output.js';
import { action, flagValues, resolveConfig } from './shared.js';

const TABLES =
  'tables: bronze.orders_raw, silver.order_items, silver.quarantine, gold.branch_revenue, gold.product_popularity, gold.hourly_sales, ops.stream_progress, ops.watermark_drops, ops.query_settings';

/** DuckDB's answers when the sandbox stops a statement (files, extensions, secrets, locked settings). */
const SANDBOX_REFUSAL =
  /disabled (by|through) configuration|configuration has been locked|read-only mode|read only mode/i;

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
      '--max-width <n>',
      `widest text cell; longer values end in "…" (default ${DEFAULT_MAX_CELL_WIDTH}; --json prints them whole)`,
    )
    .option(
      '--param <name=value>',
      '--lakehouse databricks: bind :name in the SQL to value (repeatable; never spliced into the text)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .option('--profile <name>', '--lakehouse databricks: ~/.databrickscfg profile')
    .action(
      action(async (sql: string, _opts: unknown, command: Command) => {
        const opts = command.opts<{ json?: boolean; maxWidth?: string }>();
        const width = positiveInt().safeParse(opts.maxWidth ?? DEFAULT_MAX_CELL_WIDTH);
        if (!width.success) {
          throw new ConfigError(
            `--max-width expects a whole number above 0, got ${JSON.stringify(opts.maxWidth)}`,
          );
        }
        const config = resolveConfig(command, flagValues(command, { lakehouse: 'pipeline.lakehouse' }));
        // Read-only and sandboxed: the SQL is the user's, but it may only read the lakehouse.
        const lakehouse = await openLakehouseReader(config.pipeline.lakehouse, {
          sandboxed: true,
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
            const first = (error as Error).message.split('\n')[0] ?? '';
            if (SANDBOX_REFUSAL.test(first)) {
              throw new ConfigError(`query refused: brewline query only reads the lakehouse (${first})`, {
                hint: 'no writes, files, extensions, secrets or settings from here; export with `--json > file`',
              });
            }
            throw new ExternalError(`query failed: ${first}`, { hint: TABLES });
          }
          const { columns, rows } = result;
          if (opts.json) {
            await writeLines(
              process.stdout,
              (function* () {
                for (const row of rows)
                  yield JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i]])));
              })(),
            );
          } else {
            await writeLines(process.stdout, tableLines(columns, rows, { maxCellWidth: width.data }));
            process.stdout.write(`(${rows.length} row${rows.length === 1 ? '' : 's'})\n`);
          }
        } finally {
          await lakehouse.close();
        }
        return 0;
      }),
    );
}
