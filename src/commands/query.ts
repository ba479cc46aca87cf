import type { Command } from 'commander';
import { openLakehouseReader } from '../backends/lakehouse-readers.js';
import { ExternalError } from '../errors.js';
import { textTable } from '../verify/report-table.js';
import { action, flagValues, resolveConfig } from './shared.js';

function cell(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

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
    .action(
      action(async (sql: string, _opts: unknown, command: Command) => {
        const config = resolveConfig(command, flagValues(command, { lakehouse: 'pipeline.lakehouse' }));
        const lakehouse = await openLakehouseReader(config.pipeline.lakehouse);
        try {
          let result;
          try {
            result = await lakehouse.query(sql);
          } catch (error) {
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
