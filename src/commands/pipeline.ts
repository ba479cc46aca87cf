import { resolve } from 'node:path';
import type { Command } from 'commander';
import { querySettings } from '../config/pipeline-config.js';
import { DuckDBLakehouse } from '../backends/duckdb/duckdb-lakehouse.js';
import { createSource } from '../backends/sources.js';
import type { FlagValue } from '../config/load.js';
import { formatEventTime } from '../domain/time.js';
import { ConfigError } from '../errors.js';
import { StreamingQuery } from '../pipeline/engine.js';
import { startPipelineStatus } from '../monitor/pipeline-status.js';
import { THRESHOLDS_HELP } from './threshold-option.js';
import type { BatchProgress, EngineEvent } from '../pipeline/progress-types.js';
import { action, catalogFor, flagValues, resolveConfig } from './shared.js';
import { addSourceOptions, sourceFlagValues } from './source-options.js';

/** Flag → config path (every setting also has a config key; see README "Pipeline"). */
const FLAGS: Readonly<Record<string, string>> = {
  lakehouse: 'pipeline.lakehouse',
  checkpoint: 'pipeline.checkpoint',
  queryName: 'pipeline.queryName',
  trigger: 'pipeline.trigger',
  availableNow: 'pipeline.availableNow',
  outputMode: 'pipeline.outputMode',
  maxRecordsPerBatch: 'pipeline.maxRecordsPerBatch',
  window: 'pipeline.windowDurationMs',
  windowOffset: 'pipeline.windowOffsetMs',
  watermarkDelay: 'pipeline.watermarkDelayMs',
  startingOffsets: 'pipeline.startingOffsets',
  catalog: 'catalog',
  statusPort: 'monitor.statusPort',
  thresholds: 'monitor.thresholds',
};

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** The one-line progress report of a batch (stderr). */
export function progressLine(p: BatchProgress): string {
  const lag = p.sources.reduce(
    (sum, s) =>
      sum +
      Object.entries(s.latestOffset).reduce((l, [k, v]) => l + Math.max(0, v - (s.endOffset[k] ?? 0)), 0),
    0,
  );
  const dropped = p.stateOperators[0]?.numRowsDroppedByWatermark ?? 0;
  const rate = p.processedRowsPerSecond === null ? '-' : `${count(p.processedRowsPerSecond)}/s`;
  return (
    `batch ${p.batchId}  ${count(p.numInputRows)} rows  ${count(p.silver.orders)} orders  ` +
    `${count(p.silver.duplicates)} dup  ${count(p.silver.quarantined)} quarantined  ${count(dropped)} late-dropped  ` +
    `watermark ${p.eventTime.watermark}  lag ${count(lag)}  ${count(p.durationMs.triggerExecution ?? 0)} ms  ${rate}`
  );
}

export function registerPipeline(program: Command): Command {
  const pipeline = program
    .command('pipeline')
    .description('the embedded medallion pipeline (bronze → silver → gold on DuckDB)');
  const run = pipeline
    .command('run')
    .description(
      'run the streaming query: micro-batches from a source into the lakehouse, with a checkpoint',
    );
  addSourceOptions(run)
    .option('--lakehouse <path>', 'DuckDB file (default .brewline/lakehouse.duckdb; env BREWLINE_LAKEHOUSE)')
    .option(
      '--checkpoint <dir>',
      'checkpoint directory (default .brewline/checkpoint; env BREWLINE_CHECKPOINT)',
    )
    .option('--trigger <interval>', 'fixed-interval trigger, e.g. 1s or 500ms (default 1s)')
    .option('--available-now', 'process what is available now in bounded batches, then stop')
    .option('--output-mode <mode>', 'gold output mode: complete (default) or update')
    .option('--max-records-per-batch <n>', 'upper bound of records per micro-batch (default 50000)')
    .option('--query-name <name>', 'name of the streaming query (default orders)')
    .option('--window <duration>', 'gold window length (default 1h)')
    .option('--window-offset <duration>', 'window start offset from the epoch (default 15m: Nepal hours)')
    .option('--watermark-delay <duration>', 'watermark delay (default 10m)')
    .option(
      '--starting-offsets <earliest|latest>',
      'a new query reads everything the source holds (earliest, default) or only new data (latest)',
    )
    .option('--catalog <file>', 'catalog file replacing the default menu and branches')
    .option(
      '--status-port <port>',
      'serve progress, gold and /metrics on 127.0.0.1 for `brewline monitor` (0 = any port)',
    )
    .option('--thresholds <list>', THRESHOLDS_HELP)
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{ trigger?: string; availableNow?: boolean }>();
        if (opts.trigger !== undefined && opts.availableNow) {
          throw new ConfigError('--trigger and --available-now cannot be combined', {
            hint: 'pick one: a fixed interval, or process what is available and stop',
          });
        }
        const flags: FlagValue[] = [...flagValues(command, FLAGS), ...sourceFlagValues(command)];
        const config = resolveConfig(command, flags);
        const p = config.pipeline;
        const source = await createSource(config.source);
        const lakehouse = new DuckDBLakehouse({ path: p.lakehouse });
        const query = new StreamingQuery({
          source,
          lakehouse,
          checkpointDir: resolve(p.checkpoint),
          catalog: catalogFor(config),
          trigger: p.availableNow ? { kind: 'availableNow' } : { kind: 'interval', intervalMs: p.trigger },
          ...querySettings(p),
        });
        let idle = false;
        query.subscribe((event: EngineEvent) => {
          if (event.type === 'progress') {
            idle = false;
            process.stderr.write(`${progressLine(event.progress)}\n`);
          } else if (event.type === 'idle' && !idle) {
            idle = true;
            process.stderr.write(
              `idle: no new data (watermark ${formatEventTime(query.getSnapshot().watermarkMs)})\n`,
            );
          } else if (event.type === 'started') {
            process.stderr.write(
              `pipeline ${event.queryName} (id ${event.queryId}) from ${source.description} into ${lakehouse.description}\n`,
            );
          }
        });
        // First signal: finish the batch in progress and stop. Second: leave at once — the open DuckDB
        // transaction is never committed, and the batch re-runs from offsets/N on the next start.
        let signals = 0;
        const onSignal = (signal: NodeJS.Signals): void => {
          signals++;
          if (signals === 1) {
            process.stderr.write(
              `${signal}: finishing the current batch, then stopping (again to abandon it)\n`,
            );
            query.stop();
          } else {
            process.exit(130);
          }
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        // Read-only status endpoint for `brewline monitor` in another process (a second process cannot open the DuckDB file).
        const status =
          config.monitor.statusPort === undefined
            ? undefined
            : await startPipelineStatus({
                port: config.monitor.statusPort,
                engine: query,
                probe: source,
                lakehouse,
                thresholds: config.monitor.thresholds,
              });
        if (status)
          process.stderr.write(`status endpoint ${status.url} (brewline monitor --url ${status.url})\n`);
        try {
          await query.run();
        } finally {
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await status?.close();
          await source.close();
          await lakehouse.close();
        }
        const s = query.getSnapshot();
        process.stderr.write(
          `pipeline stopped: ${count(s.totals.batches)} batches, ${count(s.totals.inputRows)} rows in total; watermark ${formatEventTime(s.watermarkMs)}\n`,
        );
        return 0;
      }),
    );
  return pipeline;
}
