import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { createSink } from '../backends/sinks.js';
import { EVENTHUBS_FLAG_HELP, EVENTHUBS_SINK_FLAGS } from '../config/eventhubs-config.js';
import { KAFKA_FLAG_HELP, KAFKA_SINK_FLAGS } from '../config/kafka-config.js';
import { FAULT_KINDS } from '../domain/ledger.js';
import { formatNpr } from '../domain/money.js';
import { formatEventTime, formatNepalTime } from '../domain/time.js';
import { checkOutputPath } from '../config/output-paths.js';
import type { SinkConfig } from '../config/sink-config.js';
import { ConfigError } from '../errors.js';
import {
  Simulation,
  simulationSettings,
  type SimulationResult,
  type SimulatorSnapshot,
} from '../simulator/index.js';
import { persistLedger } from './ledger-file.js';
import { action, catalogFor, flagValues, resolveConfig } from './shared.js';
import { ProgressPrinter } from '../monitor/progress-bar.js';
import { measuredSink, simulatorMetrics, startSimulatorMetrics } from '../monitor/simulator-metrics.js';
import { simulationProgress } from './simulate-progress.js';

/** Flag → config path. Every flag has a config key and an environment variable (see README "Load generator"). */
const FLAGS: Readonly<Record<string, string>> = {
  sink: 'sink.kind',
  out: 'sink.path',
  orders: 'simulator.orders',
  duration: 'simulator.duration',
  ordersPerHour: 'simulator.ordersPerHour',
  profile: 'simulator.profile',
  speed: 'simulator.speed',
  rate: 'simulator.rate',
  start: 'simulator.start',
  seed: 'simulator.seed',
  schemaVersion: 'simulator.schemaVersion',
  branches: 'simulator.branches',
  faults: 'simulator.faults',
  ledger: 'simulator.ledger',
  shard: 'simulator.shard',
  batchSize: 'simulator.batchSize',
  json: 'simulator.json',
  catalog: 'catalog',
  statusPort: 'monitor.statusPort',
  statusHost: 'monitor.statusHost',
  ...EVENTHUBS_SINK_FLAGS,
  ...KAFKA_SINK_FLAGS,
};

/** Progress on a terminal: a line rewritten in place; otherwise a plain line now and then for logs. */
const TTY_PROGRESS_MS = 250;
const PLAIN_PROGRESS_MS = 10_000;

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** One progress line: simulated clock, sent, actual vs target rate, faults, rejections, errors, ack latency. */
export function progressLine(s: SimulatorSnapshot): string {
  const faults = FAULT_KINDS.reduce((sum, k) => sum + s.faults[k], 0);
  const target = s.targetRate === null ? 'max' : `${count(s.targetRate)}/s`;
  return (
    `simulate ${formatNepalTime(s.simulatedNowMs)} NPT  sent ${count(s.acked)}  ` +
    `rate ${count(s.actualRate)}/s (target ${target})  faults ${count(faults)}  rejected ${count(s.rejected)}  ` +
    `errors ${count(s.errors)}  ack p50 ${s.ackLatencyMs.p50.toFixed(1)}ms p99 ${s.ackLatencyMs.p99.toFixed(1)}ms`
  );
}

function summaryObject(result: SimulationResult, ledgerPath: string | undefined): Record<string, unknown> {
  const s = result.snapshot;
  const l = result.ledger;
  return {
    status: result.status,
    complete: l.complete,
    sink: s.sink,
    seed: l.seed,
    messages: {
      generated: s.generated,
      sent: l.messages.sent,
      rejected: l.messages.rejected,
      errors: s.errors,
    },
    orders: l.totals.orders,
    revenue: l.totals.revenue,
    faults: Object.fromEntries(FAULT_KINDS.map((k) => [k, l.faults[k].count])),
    first_event_time: l.totals.first_event_time,
    last_event_time: l.totals.last_event_time,
    simulated_until: formatEventTime(s.simulatedNowMs),
    elapsed_ms: Math.round(result.elapsedMs),
    messages_per_second:
      result.elapsedMs > 0 ? Math.round((l.messages.sent * 1000) / result.elapsedMs) : null,
    ack_latency_ms: s.ackLatencyMs,
    throttled: s.throttled,
    ledger: ledgerPath ?? null,
    ...(s.lastError !== undefined ? { error: s.lastError } : {}),
  };
}

function humanSummary(
  result: SimulationResult,
  ledgerPath: string | undefined,
  sinkKind: SinkConfig['kind'],
): string {
  const s = result.snapshot;
  const l = result.ledger;
  const faults = FAULT_KINDS.filter((k) => l.faults[k].count > 0)
    .map((k) => `${k} ${count(l.faults[k].count)}`)
    .join(', ');
  const secs = result.elapsedMs / 1000;
  return [
    `brewline simulate: ${result.status}${result.status === 'stopped' ? ' (interrupted)' : readerClosed(result.error, sinkKind) ? ' (the reader closed the output)' : ''} → ${s.sink}`,
    `  sent ${count(l.messages.sent)} messages (${count(l.totals.orders)} orders, NPR ${formatNpr(paisaOf(l.totals.revenue))}), rejected ${count(l.messages.rejected)}, errors ${count(s.errors)}, throttled ${count(s.throttled)}`,
    `  faults: ${faults || 'none'}`,
    `  event time ${l.totals.first_event_time ?? '-'} … ${l.totals.last_event_time ?? '-'}`,
    `  ${secs.toFixed(2)}s real, ${secs > 0 ? count(l.messages.sent / secs) : '-'} msg/s, ack p50 ${s.ackLatencyMs.p50.toFixed(2)}ms p99 ${s.ackLatencyMs.p99.toFixed(2)}ms`,
    ...(ledgerPath ? [`  ledger: ${ledgerPath}${l.complete ? '' : ' (partial: covers what was sent)'}`] : []),
  ].join('\n');
}

/**
 * The process reading brewline's output went away (`simulate | head`): EPIPE from writing to stdout or a
 * pipe named by --out. An EPIPE from a network sink is a broken connection, a failure like any other.
 */
function readerClosed(error: unknown, sink: SinkConfig['kind']): boolean {
  if (sink !== 'stdout' && sink !== 'file') return false;
  for (let e = error; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code === 'EPIPE') return true;
  }
  return false;
}

function paisaOf(decimal: string): bigint {
  const [whole = '0', frac = '00'] = decimal.replace('-', '').split('.');
  const v = BigInt(whole) * 100n + BigInt(frac.padEnd(2, '0'));
  return decimal.startsWith('-') ? -v : v;
}

/** Registers `brewline simulate` on the program (inheriting its exit-code and output settings). */
export function registerSimulate(program: Command): Command {
  return program
    .command('simulate')
    .description(
      'generate deterministic POS orders (NDJSON events, schema_version 1) into a sink, with a ground-truth ledger',
    )
    .option(
      '--sink <kind>',
      'where orders go: stdout, file, bus, kafka, eventhubs or null (env BREWLINE_SINK)',
    )
    .option('--hub <name>', EVENTHUBS_FLAG_HELP.hub)
    .option('--namespace <host>', EVENTHUBS_FLAG_HELP.namespace)
    .option('--throughput-units <n>', EVENTHUBS_FLAG_HELP.throughputUnits)
    .option('--brokers <list>', KAFKA_FLAG_HELP['--brokers <list>'])
    .option('--topic <name>', KAFKA_FLAG_HELP['--topic <name>'])
    .option('--partitions <n>', KAFKA_FLAG_HELP['--partitions <n>'])
    .option('--client-id <id>', KAFKA_FLAG_HELP['--client-id <id>'])
    .option('--acks <all|1|0>', KAFKA_FLAG_HELP['--acks <all|1|0>'])
    .option('--compression <none|gzip>', KAFKA_FLAG_HELP['--compression <none|gzip>'])
    .option('--linger <duration>', KAFKA_FLAG_HELP['--linger <duration>'])
    .option('--kafka-client <name>', KAFKA_FLAG_HELP['--kafka-client <name>'])
    .option('--out <path>', 'NDJSON file for --sink file (env BREWLINE_OUT)')
    .option('--orders <n>', 'stop after n generated messages, faults included (env BREWLINE_ORDERS)')
    .option('--duration <span>', 'stop after this much SIMULATED time, e.g. 2h (env BREWLINE_DURATION)')
    .option('--orders-per-hour <n>', 'chain-wide orders per simulated hour at the daily peak (default 12000)')
    .option('--profile <name>', 'time-of-day demand: daily (two peaks) or flat (default daily)')
    .option('--speed <x|max>', 'simulated seconds per real second, or max (default 60)')
    .option('--rate <r>', 'pace giving r orders per real second at the peak (instead of --speed)')
    .option(
      '--start <time>',
      'simulated start, ISO-8601; no zone = Nepal time (default 2026-01-01T07:00+05:45)',
    )
    .option('--seed <n>', 'seed of every random stream (default 1)')
    .option(
      '--schema-version <0|1>',
      "wire form: 1 (default) or 0, the chain's original events (no schema_version/terminal_id/currency/category, Python timestamps)",
    )
    .option('--branches <n|names>', 'the first n branches, or a comma-separated list of names')
    .option('--faults <spec>', 'fault rates, e.g. late=0.02,very_late=0.005,duplicate=0.01,malformed=0.002')
    .option('--ledger <path>', 'write the ground-truth ledger JSON here')
    .option('--shard <i/n>', 'emit only shard i of n (split by branch)')
    .option('--batch-size <n>', 'messages per send (default: the sink’s preferred size)')
    .option(
      '--status-port <port>',
      'serve /metrics, /healthz and /readyz on this port while running (0 = any)',
    )
    .option(
      '--status-host <address>',
      'listen address of --status-port (default 127.0.0.1; 0.0.0.0 in a container; env BREWLINE_STATUS_HOST)',
    )
    .option('--json', 'print the final summary as one JSON object')
    .option('--catalog <file>', 'catalog file (JSON/YAML) instead of the default menu and branches')
    .addHelpText(
      'after',
      '\nEvery flag can also come from brewline.config.yaml (simulator.*, sink.*) or BREWLINE_* environment\n' +
        'variables; see README "Load generator". Output depends only on the seed and the volume settings,\n' +
        'never on --speed, --rate, --batch-size or --shard.',
    )
    .action(
      action(async (_opts: unknown, command: Command) => {
        const config = resolveConfig(command, flagValues(command, FLAGS));
        const sim = config.simulator;
        const catalog = catalogFor(config);
        const settings = simulationSettings(sim, catalog, config.catalog ?? 'default');
        const ledgerPath = sim.ledger === undefined ? undefined : resolve(sim.ledger);
        if (ledgerPath !== undefined && !existsSync(dirname(ledgerPath))) {
          throw new ConfigError(`ledger directory ${dirname(ledgerPath)} does not exist`, {
            hint: 'create it, or point --ledger / BREWLINE_LEDGER somewhere else',
          });
        }
        if (config.sink.kind === 'file' && !existsSync(dirname(resolve(config.sink.path)))) {
          throw new ConfigError(`output directory ${dirname(resolve(config.sink.path))} does not exist`, {
            hint: 'create it, or point --out / BREWLINE_OUT somewhere else',
          });
        }
        // Found now, not after a long run: an output or ledger this user cannot write.
        if (config.sink.kind === 'file') checkOutputPath(config.sink.path, 'file', '--out');
        if (ledgerPath !== undefined) checkOutputPath(ledgerPath, 'file', '--ledger');
        const served = config.monitor.statusPort === undefined ? undefined : simulatorMetrics();
        const rawSink = await createSink(config.sink);
        const sink = served ? measuredSink(rawSink, (ms) => served.observeAck(ms)) : rawSink;
        const simulation = new Simulation({ ...settings, sink });
        const metricsEndpoint =
          served && config.monitor.statusPort !== undefined
            ? await startSimulatorMetrics({
                simulation,
                metrics: served,
                port: config.monitor.statusPort,
                host: config.monitor.statusHost,
              })
            : undefined;
        if (metricsEndpoint) process.stderr.write(`metrics ${metricsEndpoint.url}/metrics\n`);

        // Ctrl+C (or `docker stop`): stop generating, flush, write the ledger of what was sent, exit 0.
        // A second Ctrl+C gives up at once.
        const controller = new AbortController();
        const onSignal = (): void => {
          if (controller.signal.aborted) process.exit(130);
          controller.abort();
        };
        process.on('SIGINT', onSignal);
        process.on('SIGTERM', onSignal);

        const progress = new ProgressPrinter({
          stream: process.stderr,
          read: () => simulationProgress(simulation.getSnapshot(), sim),
          ttyIntervalMs: TTY_PROGRESS_MS,
          plainIntervalMs: PLAIN_PROGRESS_MS,
        });
        progress.start();
        // The ledger on disk always covers what was acknowledged (up to its last flush), even after a SIGKILL.
        const ledgerFile =
          ledgerPath === undefined ? undefined : persistLedger(ledgerPath, () => simulation.ledgerSoFar());
        let result: SimulationResult;
        try {
          result = await simulation.run(controller.signal);
        } finally {
          progress.stop();
          process.off('SIGINT', onSignal);
          process.off('SIGTERM', onSignal);
          await metricsEndpoint?.close();
        }

        ledgerFile?.finish(result.ledger);
        if (sim.json) {
          // Keep stdout clean for data when the orders themselves go there.
          const out = config.sink.kind === 'stdout' ? process.stderr : process.stdout;
          out.write(`${JSON.stringify(summaryObject(result, ledgerPath))}\n`);
        } else {
          process.stderr.write(`${humanSummary(result, ledgerPath, config.sink.kind)}\n`);
        }
        // `brewline simulate | head`: the reader leaving is a normal way to stop, not a failure.
        if (result.status === 'failed' && !readerClosed(result.error, config.sink.kind)) throw result.error;
        return 0;
      }),
    );
}
