import type { Command } from 'commander';
import { systemClock } from '../domain/clock.js';
import { ConfigError } from '../errors.js';
import { HeadlessReporter } from '../monitor/headless-reporter.js';
import { MonitorModel } from '../monitor/monitor-model.js';
import { createSource } from '../backends/sources.js';
import type { StatusFeed } from '../monitor/feed-types.js';
import { SourceCheckedFeed } from '../monitor/source-checked-feed.js';
import { RemoteFeed } from '../monitor/status-client.js';
import { WarehouseFeed } from '../monitor/warehouse-feed.js';
import { DATABRICKS_LAKEHOUSE, openLakehouseReader } from '../backends/lakehouse-readers.js';
import { addSourceOptions, sourceFlagValues } from './source-options.js';
import { showDashboard, untilStopped, viewOptions } from './view-options.js';
import { action, flagValues, resolveConfig } from './shared.js';
import { THRESHOLDS_HELP } from './threshold-option.js';

const FLAGS: Readonly<Record<string, string>> = {
  url: 'monitor.url',
  refresh: 'monitor.refresh',
  reportInterval: 'monitor.reportInterval',
  thresholds: 'monitor.thresholds',
};

export function registerMonitor(program: Command): Command {
  const monitor = program
    .command('monitor')
    .description(
      'attach the live dashboard to a pipeline started separately (`brewline pipeline run --status-port PORT`); reads only',
    )
    .option('--url <url>', 'its status endpoint, e.g. http://127.0.0.1:9464 (env BREWLINE_MONITOR_URL)')
    .option('--refresh <interval>', 'refresh interval (default 1s; + and - change it live)')
    .option('--report-interval <interval>', 'headless: one line this often (default 5s)')
    .option('--duration <time>', 'stop after this much real time (default: until q or Ctrl+C)')
    .option('--plain', 'no dashboard: periodic readable lines (the default when stdout is not a terminal)')
    .option('--json', 'no dashboard: periodic JSON lines')
    .option(
      '--lakehouse <databricks>',
      'attach to Databricks: gold and ops.stream_progress from the SQL warehouse',
    )
    .option('--profile <name>', '--lakehouse databricks: ~/.databrickscfg profile')
    .option('--query-name <name>', '--lakehouse databricks: the streaming query to follow (default orders)')
    .option('--thresholds <list>', THRESHOLDS_HELP);
  return addSourceOptions(monitor)
    .addHelpText(
      'after',
      '\nWith --source kafka|eventhubs (and its --brokers/--topic or --hub), the monitor reads the latest offsets\n' +
        'from the broker itself; progress, committed offsets and gold still come from --url. It never commits.',
    )
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{ duration?: string; plain?: boolean; json?: boolean }>();
        const { format, wallMs } = viewOptions(opts);
        const sourceFlags = sourceFlagValues(command);
        const config = resolveConfig(command, [...flagValues(command, FLAGS), ...sourceFlags]);
        const url = config.monitor.url;
        const dbx = command.opts<{ lakehouse?: string; profile?: string; queryName?: string }>();
        const onWarehouse = dbx.lakehouse === DATABRICKS_LAKEHOUSE;
        if (dbx.lakehouse !== undefined && !onWarehouse) {
          throw new ConfigError(
            `monitor --lakehouse takes only "databricks", got ${JSON.stringify(dbx.lakehouse)}`,
            {
              hint: 'for a local pipeline use `pipeline run --status-port 9464` and `monitor --url http://127.0.0.1:9464`',
            },
          );
        }
        if (url === undefined && !onWarehouse) {
          throw new ConfigError('monitor needs the status endpoint of a running pipeline', {
            hint: 'start `brewline pipeline run --status-port 9464`, then `brewline monitor --url http://127.0.0.1:9464` (or --lakehouse databricks)',
          });
        }
        // Databricks: stream health from ops.stream_progress and gold from the SQL warehouse.
        const remote: StatusFeed = onWarehouse
          ? new WarehouseFeed({
              reader: await openLakehouseReader(DATABRICKS_LAKEHOUSE, { profile: dbx.profile }),
              queryName: dbx.queryName ?? 'orders',
              clock: systemClock,
            })
          : new RemoteFeed({ url: url! });
        let feed: StatusFeed = remote;
        if (sourceFlags.length > 0) {
          if (config.source.kind === 'bus') {
            throw new ConfigError('--source bus cannot be read from another process', {
              hint: 'use --source kafka or eventhubs, or leave --source out to take lag from the pipeline',
            });
          }
          const source = await createSource(config.source);
          await source.open();
          feed = new SourceCheckedFeed(remote, source);
        }
        const model = new MonitorModel({
          feed,
          mode: 'monitor',
          clock: systemClock,
          refreshMs: config.monitor.refresh,
          verdictWindow: config.monitor.verdictWindow,
          stopAfterMs: config.monitor.stopAfter,
          thresholds: config.monitor.thresholds,
        });
        // Fail fast with one clear line when nothing answers, instead of a dashboard full of errors.
        await feed.readStream();
        model.start();

        const end = untilStopped(wallMs);
        const { finished, finish } = end;
        try {
          if (format === 'tui') {
            await showDashboard(model, finished, finish);
          } else {
            const reporter = new HeadlessReporter({
              store: model,
              format,
              intervalMs: config.monitor.reportInterval,
              write: (line) => process.stdout.write(`${line}\n`),
            });
            reporter.start();
            await finished;
            await model.refreshAfterNow();
            reporter.finish();
          }
        } finally {
          end.dispose();
          await model.stop();
          await feed.close();
        }
        return 0;
      }),
    );
}
