import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { checkOutputPath } from '../config/output-paths.js';
import { DuckDBLakehouse } from '../backends/duckdb/duckdb-lakehouse.js';
import type { FlagValue } from '../config/load.js';
import { ConfigError } from '../errors.js';
import { createEngine, engineKind } from '../chain/engines.js';
import { reportProgress, stopOnSignals, summaryLine } from '../chain/progress-report.js';
import { startPipelineStatus } from '../monitor/pipeline-status.js';
import { THRESHOLDS_HELP } from './threshold-option.js';
import type { BatchMarker } from '../pipeline/lakehouse-types.js';
import { exitWhenDone } from './exit-guard.js';
import { describeReset, resetUncommitted } from './pipeline-reset.js';
import { DEFAULT_JOB_NAME, runDatabricksPipeline } from './pipeline-databricks.js';
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
  maxBytesPerBatch: 'pipeline.maxBytesPerBatch',
  window: 'pipeline.windowDurationMs',
  windowOffset: 'pipeline.windowOffsetMs',
  watermarkDelay: 'pipeline.watermarkDelayMs',
  startingOffsets: 'pipeline.startingOffsets',
  statefulOperatorAllowMultiple: 'pipeline.statefulOperatorAllowMultiple',
  memoryLimit: 'pipeline.memoryLimit',
  catalog: 'catalog',
  statusPort: 'monitor.statusPort',
  thresholds: 'monitor.thresholds',
  statusHost: 'monitor.statusHost',
};

export { progressLine } from '../chain/progress-report.js';

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
    .option(
      '--engine <embedded|spark|databricks>',
      'who computes the pipeline: embedded (in this process, DuckDB; default), spark (local PySpark job writing Delta tables) or databricks (start and follow the bundle job; see --job); env BREWLINE_ENGINE',
    )
    .option(
      '--lakehouse <path>',
      'DuckDB file (default .brewline/lakehouse.duckdb), or with --engine spark a folder of Delta tables (default .brewline/spark-lakehouse); env BREWLINE_LAKEHOUSE',
    )
    .option(
      '--checkpoint <dir>',
      'checkpoint directory (default .brewline/checkpoint; env BREWLINE_CHECKPOINT)',
    )
    .option('--trigger <interval>', 'fixed-interval trigger, e.g. 1s or 500ms (default 1s)')
    .option('--available-now', 'process what is available now in bounded batches, then stop')
    .option('--output-mode <mode>', 'gold output mode: complete (default) or update')
    .option('--max-records-per-batch <n>', 'upper bound of records per micro-batch (default 50000)')
    .option(
      '--max-bytes-per-batch <size>',
      'upper bound of bytes per micro-batch, e.g. 64MiB (default); one larger record still moves',
    )
    .option('--query-name <name>', 'name of the streaming query (default orders)')
    .option('--window <duration>', 'gold window length (default 1h)')
    .option('--window-offset <duration>', 'window start offset from the epoch (default 15m: Nepal hours)')
    .option('--watermark-delay <duration>', 'watermark delay (default 10m)')
    .option(
      '--memory-limit <size>',
      "DuckDB's memory limit, e.g. 1GB (default: a quarter of RAM, 256 MiB–2 GiB)",
    )
    .option(
      '--stateful-operator-allow-multiple <bool>',
      "update mode's late-row watermark, after Spark's setting: true filters batch N with the watermark of N−1 (default, Spark's), false with N's",
    )
    .option(
      '--starting-offsets <earliest|latest>',
      'a new query reads everything the source holds (earliest, default) or only new data (latest)',
    )
    .option('--catalog <file>', 'catalog file replacing the default menu and branches')
    .option(
      '--status-port <port>',
      'serve progress, gold, /metrics, /healthz and /readyz for `brewline monitor` and scrapers (0 = any port)',
    )
    .option('--job <name|id>', `databricks: the job to run (default "${DEFAULT_JOB_NAME}", the bundle's job)`)
    .option('--cancel-on-exit', 'databricks: cancel the run on Ctrl+C (default: leave it going)')
    .option('--profile <name>', 'databricks: ~/.databrickscfg profile (env DATABRICKS_CONFIG_PROFILE)')
    .option('--poll <interval>', 'databricks: how often to read the run state (default 2s)')
    .option('--json', 'databricks: one JSON line per run/task change (plain lines when piped)')
    .option(
      '--status-host <address>',
      'listen address of --status-port (default 127.0.0.1; 0.0.0.0 lets Prometheus scrape a container)',
    )
    .option('--thresholds <list>', THRESHOLDS_HELP)
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{ trigger?: string; availableNow?: boolean }>();
        const dbx = command.opts<{
          engine?: string;
          job?: string;
          cancelOnExit?: boolean;
          profile?: string;
          poll?: string;
          json?: boolean;
        }>();
        if (engineKind(dbx.engine) === 'databricks') {
          const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
          return runDatabricksPipeline(
            { ...dbx, format: dbx.json ? 'json' : tty ? 'tui' : 'plain' },
            {
              stdout: (line) => void process.stdout.write(`${line}\n`),
              stderr: (line) => void process.stderr.write(`${line}\n`),
            },
          );
        }
        if (opts.trigger !== undefined && opts.availableNow) {
          throw new ConfigError('--trigger and --available-now cannot be combined', {
            hint: 'pick one: a fixed interval, or process what is available and stop',
          });
        }
        const flags: FlagValue[] = [...flagValues(command, FLAGS), ...sourceFlagValues(command)];
        const config = resolveConfig(command, flags);
        const p = config.pipeline;
        if (config.source.kind === 'bus') {
          // Nothing outside this process can write to its in-process bus: the query would wait forever.
          throw new ConfigError('pipeline run needs a source another process writes to', {
            hint: 'pass --source file:PATH, kafka or eventhubs (the in-process bus exists only inside `brewline demo`)',
          });
        }
        const kind = engineKind(command.opts<{ engine?: string }>().engine);
        if (kind === 'embedded') {
          // Found now, not after the first batch: a lakehouse or checkpoint this user cannot write.
          checkOutputPath(p.lakehouse, 'file', '--lakehouse');
          checkOutputPath(p.checkpoint, 'directory', '--checkpoint');
        }
        const choice = await createEngine({
          kind,
          config,
          catalog: catalogFor(config),
          trigger: p.availableNow ? { kind: 'availableNow' } : { kind: 'interval', intervalMs: p.trigger },
        });
        const { engine, probe } = choice;
        const write = (line: string): void => void process.stderr.write(`${line}\n`);
        const unsubscribe = reportProgress(engine, choice.from, write, {
          availableNow: p.availableNow,
          // Kafka and Event Hubs offsets count records; the embedded file source's count bytes; Spark's own
          // file source offsets count neither.
          offsetUnit: config.source.kind === 'file' ? (kind === 'embedded' ? 'bytes' : 'offsets') : 'records',
        });
        // A stop signal while the query is still connecting (a broker or hub that does not answer) has no batch
        // to finish: close the source so its connection attempts end now instead of after their timeouts.
        // Registered before stopOnSignals, which marks the engine as stopping.
        let stoppedWhileStarting = false;
        const onStopWhileStarting = (): void => {
          if (engine.getSnapshot().status !== 'starting' || stoppedWhileStarting) return;
          stoppedWhileStarting = true;
          void probe?.close().catch(() => undefined);
        };
        process.on('SIGINT', onStopWhileStarting);
        process.on('SIGTERM', onStopWhileStarting);
        const removeSignals = stopOnSignals(engine, write);
        try {
          // Read-only status endpoint for `brewline monitor` in another process (a second process cannot open the DuckDB file).
          const status =
            config.monitor.statusPort === undefined || probe === undefined
              ? undefined
              : await startPipelineStatus({
                  port: config.monitor.statusPort,
                  engine,
                  probe,
                  lakehouse: engine,
                  thresholds: config.monitor.thresholds,
                  host: config.monitor.statusHost,
                });
          if (status) write(`status endpoint ${status.url} (brewline monitor --url ${status.url})`);
          try {
            await engine.run();
          } catch (error) {
            if (!stoppedWhileStarting) throw error;
            write(`pipeline stopped before it started (${choice.from})`);
            return 130;
          } finally {
            await status?.close();
          }
        } finally {
          process.off('SIGINT', onStopWhileStarting);
          process.off('SIGTERM', onStopWhileStarting);
          removeSignals();
          unsubscribe();
          await probe?.close();
          await engine.close();
          exitWhenDone();
        }
        write(summaryLine(engine));
        return 0;
      }),
    );
  pipeline
    .command('reset-uncommitted')
    .description(
      'drop logged but uncommitted batches (offsets/N without a commit) so the next run plans them again',
    )
    .option('--lakehouse <path>', 'DuckDB file (default .brewline/lakehouse.duckdb; env BREWLINE_LAKEHOUSE)')
    .option(
      '--checkpoint <dir>',
      'checkpoint directory (default .brewline/checkpoint; env BREWLINE_CHECKPOINT)',
    )
    .option('--query-name <name>', 'name of the streaming query (default orders)')
    .action(
      action(async (_opts: unknown, command: Command) => {
        const config = resolveConfig(command, flagValues(command, FLAGS));
        const p = config.pipeline;
        let marker: BatchMarker | undefined;
        if (existsSync(p.lakehouse)) {
          // Read-only: a running pipeline holds the file's lock, so this refuses to run beside it.
          const lakehouse = new DuckDBLakehouse({ path: p.lakehouse, readOnly: true });
          try {
            await lakehouse.open();
            marker = await lakehouse.lastMarker(p.queryName);
          } finally {
            await lakehouse.close();
          }
        }
        for (const line of describeReset(resetUncommitted(resolve(p.checkpoint), marker))) {
          process.stderr.write(`${line}\n`);
        }
        return 0;
      }),
    );
  return pipeline;
}
