import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { openLakehouseReader } from '../backends/lakehouse-readers.js';
import { LEDGER_VERSION, type Ledger } from '../domain/ledger.js';
import { ConfigError, EXIT_FAILURE } from '../errors.js';
import { compareWithLedger } from '../verify/compare.js';
import { readLakehouseFacts } from '../verify/lakehouse-facts.js';
import { renderVerifyReport } from '../verify/report-table.js';
import { action, flagValues, resolveConfig } from './shared.js';

function readLedger(path: string): Ledger {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the ledger ${path}: ${(error as Error).message.split('\n')[0]}`, {
      hint: 'pass the file written by `brewline simulate --ledger PATH`',
    });
  }
  const ledger = value as Partial<Ledger> | null;
  if (
    !ledger ||
    ledger.ledger_version !== LEDGER_VERSION ||
    !ledger.gold ||
    !ledger.faults ||
    !ledger.window
  ) {
    throw new ConfigError(`${path} is not a brewline ledger (version ${LEDGER_VERSION})`, {
      hint: 'pass the file written by `brewline simulate --ledger PATH`',
    });
  }
  return ledger as Ledger;
}

export function registerVerify(program: Command): Command {
  return program
    .command('verify')
    .description('compare the lakehouse with a simulator ledger; exit 1 on any difference')
    .requiredOption('--ledger <file>', 'the ledger written by `brewline simulate --ledger`')
    .option(
      '--lakehouse <path>',
      'DuckDB file or Delta lakehouse folder (default .brewline/lakehouse.duckdb; env BREWLINE_LAKEHOUSE)',
    )
    .option('--output-mode <mode>', 'the mode the pipeline ran in: complete (default) or update')
    .option('--query-name <name>', 'the streaming query to check (default orders)')
    .option('--json', 'print the report as JSON')
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{ ledger: string; json?: boolean }>();
        const config = resolveConfig(
          command,
          flagValues(command, {
            lakehouse: 'pipeline.lakehouse',
            outputMode: 'pipeline.outputMode',
            queryName: 'pipeline.queryName',
          }),
        );
        const ledger = readLedger(opts.ledger);
        const lakehouse = await openLakehouseReader(config.pipeline.lakehouse);
        let report;
        try {
          const facts = await readLakehouseFacts(lakehouse, config.pipeline.queryName);
          report = compareWithLedger(ledger, facts, config.pipeline.outputMode);
        } finally {
          await lakehouse.close();
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${renderVerifyReport(report)}\n`);
        return report.differences.length === 0 ? 0 : EXIT_FAILURE;
      }),
    );
}
