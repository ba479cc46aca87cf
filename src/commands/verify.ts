import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { openLakehouseReader } from '../backends/lakehouse-readers.js';
import { LEDGER_VERSION, type Ledger } from '../domain/ledger.js';
import { ConfigError, EXIT_FAILURE } from '../errors.js';
import type { OutputMode } from '../config/pipeline-config.js';
import { readCheckpointMetadata } from '../pipeline/checkpoint.js';
import { compareWithLedger, type VerifyRule } from '../verify/compare.js';
import { readLakehouseFacts, readQuerySettings } from '../verify/lakehouse-facts.js';
import { renderVerifyReport } from '../verify/report-table.js';
import { readWarehouseFacts, readWarehouseQuerySettings } from '../verify/warehouse-facts.js';
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

function settingsOfCheckpoint(dir: string): VerifyRule | undefined {
  const m = readCheckpointMetadata(resolve(dir));
  return (
    m && { outputMode: m.outputMode, statefulOperatorAllowMultiple: m.statefulOperatorAllowMultiple ?? false }
  );
}

/**
 * The rule to verify with: what the lakehouse (or checkpoint) recorded; a flag given on the command line
 * must agree with it. With nothing recorded, the flags (or the config's mode) decide.
 */
export function resolveVerifyRule(
  recorded: VerifyRule | undefined,
  flags: { outputMode: OutputMode | undefined; statefulOperatorAllowMultiple: boolean | undefined },
  fallbackMode: OutputMode,
): VerifyRule {
  if (!recorded) {
    return {
      outputMode: flags.outputMode ?? fallbackMode,
      statefulOperatorAllowMultiple: flags.statefulOperatorAllowMultiple ?? true,
    };
  }
  if (flags.outputMode !== undefined && flags.outputMode !== recorded.outputMode) {
    throw new ConfigError(
      `--output-mode ${flags.outputMode} disagrees with the lakehouse: its query ran in ${recorded.outputMode} mode`,
      {
        hint: `drop --output-mode (verify reads the mode from the lakehouse) or pass ${recorded.outputMode}`,
      },
    );
  }
  if (
    recorded.outputMode === 'update' &&
    flags.statefulOperatorAllowMultiple !== undefined &&
    flags.statefulOperatorAllowMultiple !== recorded.statefulOperatorAllowMultiple
  ) {
    throw new ConfigError(
      `--stateful-operator-allow-multiple ${String(flags.statefulOperatorAllowMultiple)} disagrees with the lakehouse: its query ran with ${String(recorded.statefulOperatorAllowMultiple)}`,
      { hint: 'drop the flag: verify reads the setting from the lakehouse' },
    );
  }
  return recorded;
}

export function registerVerify(program: Command): Command {
  return program
    .command('verify')
    .description('compare the lakehouse with a simulator ledger; exit 1 on any difference')
    .requiredOption('--ledger <file>', 'the ledger written by `brewline simulate --ledger`')
    .option(
      '--lakehouse <path>',
      'DuckDB file, Delta lakehouse folder, or "databricks" (a SQL warehouse; default .brewline/lakehouse.duckdb; env BREWLINE_LAKEHOUSE)',
    )
    .option(
      '--output-mode <mode>',
      'the mode the pipeline ran in (read from the lakehouse; an explicit flag must agree with it)',
    )
    .option(
      '--stateful-operator-allow-multiple <bool>',
      "update mode's late rule (read from the lakehouse; an explicit flag must agree with it)",
    )
    .option('--checkpoint <dir>', 'checkpoint to read the settings from when the lakehouse lacks them')
    .option('--query-name <name>', 'the streaming query to check (default orders)')
    .option('--profile <name>', '--lakehouse databricks: ~/.databrickscfg profile')
    .option('--json', 'print the report as JSON')
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{ ledger: string; json?: boolean }>();
        const config = resolveConfig(
          command,
          flagValues(command, {
            lakehouse: 'pipeline.lakehouse',
            checkpoint: 'pipeline.checkpoint',
            outputMode: 'pipeline.outputMode',
            statefulOperatorAllowMultiple: 'pipeline.statefulOperatorAllowMultiple',
            queryName: 'pipeline.queryName',
          }),
        );
        const explicit = (option: string): boolean => command.getOptionValueSource(option) === 'cli';
        const ledger = readLedger(opts.ledger);
        const lakehouse = await openLakehouseReader(config.pipeline.lakehouse, {
          profile: command.opts<{ profile?: string }>().profile,
        });
        // A Databricks SQL warehouse speaks Databricks SQL and binds parameters: its own fact queries.
        const warehouse = lakehouse.kind === 'databricks';
        let report;
        try {
          const rule = resolveVerifyRule(
            (await (warehouse ? readWarehouseQuerySettings : readQuerySettings)(
              lakehouse,
              config.pipeline.queryName,
            )) ?? settingsOfCheckpoint(config.pipeline.checkpoint),
            {
              outputMode: explicit('outputMode') ? config.pipeline.outputMode : undefined,
              statefulOperatorAllowMultiple: explicit('statefulOperatorAllowMultiple')
                ? config.pipeline.statefulOperatorAllowMultiple
                : undefined,
            },
            config.pipeline.outputMode,
          );
          const facts = await (warehouse ? readWarehouseFacts : readLakehouseFacts)(
            lakehouse,
            config.pipeline.queryName,
          );
          report = compareWithLedger(ledger, facts, rule);
        } finally {
          await lakehouse.close();
        }
        if (opts.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        else process.stdout.write(`${renderVerifyReport(report)}\n`);
        return report.differences.length === 0 ? 0 : EXIT_FAILURE;
      }),
    );
}
