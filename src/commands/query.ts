import type { Command } from 'commander';
import { openLakehouseReader } from '../backends/lakehouse-readers.js';
import { positiveInt } from '../config/fields.js';
import { ConfigError, ExternalError } from '../errors.js';
import { DEFAULT_MAX_CELL_WIDTH, tableLines, writeLines } from './query-output.js';
import { action, flagValues, resolveConfig } from './shared.js';

const TABLES =
  'tables: bronze.orders_raw, silver.order_items, silver.quarantine, gold.branch_revenue, gold.product_popularity, gold.hourly_sales, ops.stream_progress';

/** DuckDB's answers when the sandbox stops a statement (files, extensions, secrets, locked settings). */
const SANDBOX_REFUSAL =
  /disabled (by|through) configuration|configuration has been locked|read-only mode|read only mode/i;

export function registerQuery(program: Command): Command {
  return program
    .command('query')
    .description('run read-only SQL against the lakehouse, e.g. "SELECT * FROM gold.hourly_sales"')
    .argument('<sql>', 'the SQL to run')
    .option('--json', 'print rows as JSON objects, one per line (DECIMAL as strings, TIMESTAMP as ISO)')
    .option(
      '--lakehouse <path>',
      'DuckDB file or Delta lakehouse folder (default .brewline/lakehouse.duckdb; env BREWLINE_LAKEHOUSE)',
    )
    .option(
      '--max-width <n>',
      `widest text cell; longer values end in "…" (default ${DEFAULT_MAX_CELL_WIDTH}; --json prints them whole)`,
    )
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
        const lakehouse = await openLakehouseReader(config.pipeline.lakehouse, { sandboxed: true });
        try {
          let result;
          try {
            result = await lakehouse.query(sql);
          } catch (error) {
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
