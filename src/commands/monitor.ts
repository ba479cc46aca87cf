import type { Command } from 'commander';
import { systemClock } from '../domain/clock.js';
import { parseDuration } from '../domain/time.js';
import { ConfigError } from '../errors.js';
import { HeadlessReporter } from '../monitor/headless-reporter.js';
import { MonitorModel } from '../monitor/monitor-model.js';
import { RemoteFeed } from '../monitor/status-client.js';
import { action, flagValues, resolveConfig } from './shared.js';

const FLAGS: Readonly<Record<string, string>> = {
  url: 'monitor.url',
  refresh: 'monitor.refresh',
  reportInterval: 'monitor.reportInterval',
};

export function registerMonitor(program: Command): Command {
  return program
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
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{ duration?: string; plain?: boolean; json?: boolean }>();
        if (opts.plain && opts.json) {
          throw new ConfigError('--plain and --json cannot be combined', {
            hint: 'pick one headless format',
          });
        }
        let wallMs: number | undefined;
        if (opts.duration !== undefined) {
          wallMs = parseDuration(opts.duration.trim());
          if (wallMs === undefined || wallMs <= 0) {
            throw new ConfigError(
              `--duration: expected a real-time span like 30s or 2m, got ${JSON.stringify(opts.duration)}`,
              { hint: 'e.g. --duration 30s' },
            );
          }
        }
        const config = resolveConfig(command, flagValues(command, FLAGS));
        const url = config.monitor.url;
        if (url === undefined) {
          throw new ConfigError('monitor needs the status endpoint of a running pipeline', {
            hint: 'start `brewline pipeline run --status-port 9464`, then `brewline monitor --url http://127.0.0.1:9464`',
          });
        }
        const feed = new RemoteFeed({ url });
        const model = new MonitorModel({
          feed,
          mode: 'monitor',
          clock: systemClock,
          refreshMs: config.monitor.refresh,
          verdictWindow: config.monitor.verdictWindow,
          stopAfterMs: config.monitor.stopAfter,
        });
        // Fail fast with one clear line when nothing answers, instead of a dashboard full of errors.
        await feed.readStream();
        model.start();

        let finish!: () => void;
        const finished = new Promise<void>((r) => (finish = r));
        const onSignal = (): void => finish();
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);
        const timer = wallMs === undefined ? undefined : setTimeout(finish, wallMs);
        const tty = process.stdout.isTTY === true && process.stdin.isTTY === true;
        try {
          if (!opts.json && !opts.plain && tty) {
            // Ink and React load only for a terminal dashboard (yoga's WebAssembly start-up is not free).
            // React's development build keeps debugging data for every render: a third more memory here.
            process.env['NODE_ENV'] ??= 'production';
            const { runDashboard } = await import('../tui/run-dashboard.js');
            const { themeFromEnv } = await import('../tui/theme.js');
            const dashboard = runDashboard(model, themeFromEnv());
            void dashboard.done.then(finish);
            await finished;
            dashboard.close();
            await dashboard.done;
          } else {
            const reporter = new HeadlessReporter({
              store: model,
              format: opts.json ? 'json' : 'plain',
              intervalMs: config.monitor.reportInterval,
              write: (line) => process.stdout.write(`${line}\n`),
            });
            reporter.start();
            await finished;
            await model.refresh();
            reporter.finish();
          }
        } finally {
          if (timer) clearTimeout(timer);
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await model.stop();
          await feed.close();
        }
        return 0;
      }),
    );
}
