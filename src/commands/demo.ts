import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from 'commander';
import { BusSink, BusSource, dropBus, getBus } from '../backends/bus/index.js';
import { createSink } from '../backends/sinks.js';
import { createSource } from '../backends/sources.js';
import type { Sink, Source } from '../backends/types.js';
import { createEngine, engineKind } from '../chain/engines.js';
import { startDemoBroker } from '../chain/demo-broker.js';
import { prepareDemoLakehouse } from '../chain/demo-lakehouse.js';
import { DATABRICKS_LAKEHOUSE } from '../backends/lakehouse-readers.js';
import { drainLine, startChain } from '../chain/running-chain.js';
import type { FlagValue } from '../config/load.js';
import { parseFaultSpec } from '../config/simulator-config.js';
import { parseDuration } from '../domain/time.js';
import { ConfigError, redact } from '../errors.js';
import { HeadlessReporter } from '../monitor/headless-reporter.js';
import { Simulation, simulationSettings } from '../simulator/index.js';
import { showDashboard, untilStopped, viewOptions } from './view-options.js';
import { action, catalogFor, flagValues, resolveConfig } from './shared.js';
import { THRESHOLDS_HELP } from './threshold-option.js';

/** Flag → config path; everything else about the simulator and the pipeline comes from config/env as usual. */
const FLAGS: Readonly<Record<string, string>> = {
  rate: 'simulator.rate',
  speed: 'simulator.speed',
  ordersPerHour: 'simulator.ordersPerHour',
  profile: 'simulator.profile',
  start: 'simulator.start',
  seed: 'simulator.seed',
  branches: 'simulator.branches',
  faults: 'simulator.faults',
  outputMode: 'pipeline.outputMode',
  trigger: 'pipeline.trigger',
  maxRecordsPerBatch: 'pipeline.maxRecordsPerBatch',
  watermarkDelay: 'pipeline.watermarkDelayMs',
  statefulOperatorAllowMultiple: 'pipeline.statefulOperatorAllowMultiple',
  refresh: 'monitor.refresh',
  reportInterval: 'monitor.reportInterval',
  catalog: 'catalog',
  thresholds: 'monitor.thresholds',
};

/**
 * Demo defaults, chosen so the hourly chart fills in about a minute: 24 simulated hours per real minute
 * (speed 1440) at 2,500 orders per simulated peak hour chain-wide (~38 per branch), i.e. about 1,000
 * orders per real second at the day's peaks, and a light mix of every fault so every counter moves.
 */
export const DEMO_SPEED = 1440;
export const DEMO_ORDERS_PER_HOUR = 2500;
/** `demo --engine spark`: chain-wide orders per simulated peak hour (Spark local[2] must keep up). */
export const DEMO_SPARK_ORDERS_PER_HOUR = 600;
/**
 * `demo --engine spark`: health thresholds for batches that take tens of seconds (see `--thresholds`). The
 * watermark gap is in simulated time, so it scales with the speed: a pipeline 2 (10) real minutes behind a
 * simulation at speed 1440 is 48 (240) simulated hours behind — the same tolerance as `lag`.
 */
export function sparkDemoThresholds(speed: number): string {
  const hours = (realMinutes: number): string => `${Math.max(1, Math.round((speed * realMinutes) / 60))}h`;
  return `lag=2m/10m,backlog=20000/200000,watermark-gap=${hours(2)}/${hours(10)},since-batch=90s/5m`;
}
/**
 * `demo --engine spark`: how long the trend rules look back (STALL: offset stuck; WARN: lag never falls), in
 * real time. One Spark batch takes 15–30 s here, and between two the offset is rightly "stuck".
 */
export const DEMO_SPARK_VERDICT_SPAN_MS = 75_000;
/** `demo --engine spark`: the engine's silence that counts as STOP. */
export const DEMO_SPARK_STOP_AFTER_MS = 90_000;
/** `demo --engine spark`: records per micro-batch unless --max-records-per-batch says otherwise. */
export const DEMO_SPARK_MAX_RECORDS_PER_BATCH = 2000;
export const DEMO_FAULTS =
  'late=0.01,very_late=0.002,duplicate=0.005,malformed=0.001,invalid=0.002,oversize=0.0005';
export const DEMO_LAKEHOUSE = '.brewline/demo.duckdb';
/** `demo --engine spark`: the Delta tables the local Spark job writes. */
export const DEMO_SPARK_LAKEHOUSE = '.brewline/demo-spark';
/**
 * The in-process bus keeps this many messages per partition: bounded memory on long demos (about 100 s of
 * the demo's peak rate; the engine normally trails by one trigger interval).
 */
const DEMO_RETAIN_PER_PARTITION = 25_000;
/** After the load generator stops, how long the engine may go without progress before the drain gives up. */
const DRAIN_TIMEOUT_MS = 10_000;

const BUS_NAME = 'brewline-demo';

export function registerDemo(program: Command): Command {
  return program
    .command('demo')
    .description(
      'the whole chain in one process: load generator → in-process bus → embedded pipeline → DuckDB → live dashboard',
    )
    .option('--duration <time>', 'stop after this much REAL time, e.g. 30s (default: until q or Ctrl+C)')
    .option('--rate <r>', 'orders per real second at the daily peak (instead of --speed)')
    .option('--speed <x|max>', `simulated seconds per real second (default ${DEMO_SPEED}: a day per minute)`)
    .option(
      '--orders-per-hour <n>',
      `chain-wide orders per simulated peak hour (default ${DEMO_ORDERS_PER_HOUR}; ${DEMO_SPARK_ORDERS_PER_HOUR} with --engine spark)`,
    )
    .option('--profile <name>', 'time-of-day demand: daily or flat')
    .option('--start <time>', 'simulated start, ISO-8601; no zone = Nepal time')
    .option('--seed <n>', 'seed of every random stream (default 1)')
    .option('--branches <n|names>', 'the first n branches, or a comma-separated list (default all 65)')
    .option('--faults <spec>', `fault rates, or none (default ${DEMO_FAULTS})`)
    .option('--output-mode <mode>', 'gold output mode: complete (default) or update')
    .option('--trigger <interval>', 'micro-batch trigger interval (default 1s)')
    .option(
      '--max-records-per-batch <n>',
      `upper bound of records per micro-batch (default 50000; ${DEMO_SPARK_MAX_RECORDS_PER_BATCH} with --engine spark)`,
    )
    .option('--watermark-delay <duration>', 'watermark delay (default 10m)')
    .option(
      '--stateful-operator-allow-multiple <bool>',
      "update mode's late-row watermark, after Spark's setting: true filters batch N with the watermark of N−1 (default, Spark's), false with N's",
    )
    .option(
      '--engine <embedded|spark|databricks>',
      'who computes the pipeline: embedded (default), spark (a local PySpark job reading Kafka; without --brokers the demo starts its own broker) or databricks (the deployed job; same as --lakehouse databricks)',
    )
    .option(
      '--source <bus|kafka|eventhubs>',
      'where orders travel: the in-process bus (default), a Kafka topic, or an event hub',
    )
    .option('--brokers <list>', 'Kafka: bootstrap brokers host:port[,host:port] (env KAFKA_BROKERS)')
    .option('--topic <name>', 'Kafka: topic (env KAFKA_TOPIC; default orders)')
    .option('--hub <name>', 'Event Hubs: event hub name, when the connection string has no EntityPath')
    .option('--namespace <host>', 'Event Hubs: <ns>.servicebus.windows.net for keyless sign-in')
    .option(
      '--partitions <n>',
      'partitions of the in-process bus, or of a Kafka topic the demo creates (default 4)',
    )
    .option(
      '--lakehouse <path>',
      `DuckDB file to build; query it afterwards (default ${DEMO_LAKEHOUSE}); or databricks: watch the Databricks job consume --source eventhubs`,
    )
    .option('--refresh <interval>', 'dashboard refresh interval (default 1s; + and - change it live)')
    .option('--report-interval <interval>', 'headless: one line this often (default 5s)')
    .option('--plain', 'no dashboard: periodic readable lines (the default when stdout is not a terminal)')
    .option('--json', 'no dashboard: periodic JSON lines')
    .option('--catalog <file>', 'catalog file replacing the default menu and branches')
    .option('--thresholds <list>', THRESHOLDS_HELP)
    .addHelpText(
      'after',
      '\nKeys: ? help · q quit · p freeze · tab/1-5 focus a panel · +/- refresh · b branch filter.\n' +
        'The lakehouse stays behind: brewline query "SELECT * FROM gold.hourly_sales" --lakehouse .brewline/demo.duckdb',
    )
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{
          duration?: string;
          plain?: boolean;
          json?: boolean;
          partitions?: string;
          lakehouse?: string;
          speed?: string;
          rate?: string;
          refresh?: string;
          faults?: string;
          ordersPerHour?: string;
          source?: string;
          engine?: string;
          brokers?: string;
          maxRecordsPerBatch?: string;
        }>();
        const kind = engineKind(opts.engine);
        const via = opts.source ?? (kind === 'spark' ? 'kafka' : 'bus');
        if (kind === 'spark' && via !== 'kafka') {
          throw new ConfigError(`--engine spark: the demo sends orders through Kafka, not ${via}`, {
            hint: 'drop --source (the demo starts a local broker), or pass --source kafka --brokers HOST:PORT',
          });
        }
        if (via !== 'bus' && via !== 'kafka' && via !== 'eventhubs') {
          throw new ConfigError(
            `--source: expected bus, kafka or eventhubs, got ${JSON.stringify(opts.source)}`,
            {
              hint: 'the demo runs its own load generator into that source; files are for `pipeline run`',
            },
          );
        }
        const { format, wallMs } = viewOptions(opts);
        const partitions = opts.partitions === undefined ? 4 : Number(opts.partitions);
        if (!Number.isInteger(partitions) || partitions < 1 || partitions > 64) {
          throw new ConfigError(
            `--partitions: expected a whole number from 1 to 64, got ${JSON.stringify(opts.partitions)}`,
            {
              hint: 'e.g. --partitions 4',
            },
          );
        }

        const flags: FlagValue[] = flagValues(command, FLAGS);
        // Demo defaults apply unless a flag or an environment variable sets the value (they do override the
        // simulator section of a config file, which is written for `simulate`).
        const defaults: FlagValue[] = [];
        if (
          opts.speed === undefined &&
          opts.rate === undefined &&
          process.env['BREWLINE_SPEED'] === undefined &&
          process.env['BREWLINE_RATE'] === undefined
        )
          defaults.push({ path: 'simulator.speed', flag: 'the demo default', value: DEMO_SPEED });
        if (opts.ordersPerHour === undefined && process.env['BREWLINE_ORDERS_PER_HOUR'] === undefined)
          defaults.push({
            path: 'simulator.ordersPerHour',
            flag: kind === 'spark' ? 'the Spark demo default' : 'the demo default',
            // Spark local[2] keeps up with about a quarter of the embedded demo's load on two cores.
            value: kind === 'spark' ? DEMO_SPARK_ORDERS_PER_HOUR : DEMO_ORDERS_PER_HOUR,
          });
        if (opts.faults === undefined && process.env['BREWLINE_FAULTS'] === undefined)
          defaults.push({
            path: 'simulator.faults',
            flag: 'the demo default',
            value: parseFaultSpec(DEMO_FAULTS),
          });
        // Spark local[2] takes tens of seconds for its first micro-batches whatever their size, and longer for
        // large ones: small batches bring the first gold and each later update sooner, and a stop at a batch
        // boundary comes within seconds.
        if (kind === 'spark' && opts.maxRecordsPerBatch === undefined)
          defaults.push({
            path: 'pipeline.maxRecordsPerBatch',
            flag: 'the Spark demo default',
            value: DEMO_SPARK_MAX_RECORDS_PER_BATCH,
          });
        // A Spark micro-batch takes tens of seconds here: the silence between two is not a stop.
        if (kind === 'spark') {
          if (
            command.getOptionValue('thresholds') === undefined &&
            process.env['BREWLINE_THRESHOLDS'] === undefined
          )
            defaults.push({
              path: 'monitor.thresholds',
              flag: 'the Spark demo default',
              value: sparkDemoThresholds(numericSpeed(opts.speed ?? process.env['BREWLINE_SPEED'])),
            });
          defaults.push({
            path: 'monitor.verdictWindow',
            flag: 'the Spark demo default',
            value: Math.min(
              1000,
              Math.max(10, Math.ceil(DEMO_SPARK_VERDICT_SPAN_MS / refreshMs(opts.refresh))),
            ),
          });
          defaults.push({
            path: 'monitor.stopAfter',
            flag: 'the Spark demo default',
            value: DEMO_SPARK_STOP_AFTER_MS,
          });
        }
        // Spark needs a real broker: without --brokers (or KAFKA_BROKERS) the demo runs its own, on loopback.
        const ownBroker =
          kind === 'spark' && opts.brokers === undefined && process.env['KAFKA_BROKERS'] === undefined
            ? await startDemoBroker()
            : undefined;
        const brokerAddress: FlagValue[] = ownBroker
          ? [
              { path: 'sink.brokers', flag: 'the demo broker', value: ownBroker.address },
              { path: 'source.brokers', flag: 'the demo broker', value: ownBroker.address },
            ]
          : [];
        const config = resolveConfig(command, [
          ...defaults,
          ...flags,
          ...brokerFlags(command, via),
          ...brokerAddress,
        ]);
        const catalog = catalogFor(config);
        const settings = simulationSettings(config.simulator, catalog, config.catalog ?? 'default');
        const p = config.pipeline;
        if (opts.lakehouse === DATABRICKS_LAKEHOUSE || kind === 'databricks') {
          // The pipeline runs on Databricks: load goes into the hub its job reads; no engine here.
          if (via === 'bus') {
            throw new ConfigError('--lakehouse databricks needs a source Databricks can read', {
              hint: 'use --source eventhubs (or kafka) with the hub the bundle job reads',
            });
          }
          const { runDatabricksDemo } = await import('./demo-databricks.js');
          const probe = await createSource(config.source);
          await probe.open();
          return runDatabricksDemo({
            simulation: new Simulation({ ...settings, sink: await createSink(config.sink) }),
            probe,
            format,
            wallMs,
            queryName: p.queryName,
            refreshMs: config.monitor.refresh,
            reportIntervalMs: config.monitor.reportInterval,
            verdictWindow: config.monitor.verdictWindow,
            stopAfterMs: config.monitor.stopAfter,
            write: (line) => void process.stdout.write(`${line}\n`),
          });
        }
        const defaultLakehouse = kind === 'spark' ? DEMO_SPARK_LAKEHOUSE : DEMO_LAKEHOUSE;
        const lakehousePath = resolve(opts.lakehouse ?? defaultLakehouse);
        const checkpoint =
          kind === 'spark'
            ? join(lakehousePath, '_checkpoints')
            : resolve(dirname(lakehousePath), 'demo-checkpoint');
        prepareDemoLakehouse(lakehousePath, checkpoint, defaultLakehouse);

        let sink: Sink;
        let source: Source;
        if (via === 'bus') {
          dropBus(BUS_NAME);
          getBus(BUS_NAME, { partitions, retainPerPartition: DEMO_RETAIN_PER_PARTITION });
          sink = new BusSink({ name: BUS_NAME });
          source = new BusSource({ name: BUS_NAME });
        } else {
          sink = await createSink(config.sink);
          source = await createSource(config.source);
          // The engine (and the Spark engine's lag probe) reads the topic before the simulator's sink would
          // create it: let a short-lived sink create (or check) the topic or hub first.
          const topic = await createSink(config.sink);
          await topic.open();
          await topic.close();
        }
        // A broker keeps earlier demos' orders; this demo's fresh lakehouse shows only its own (its own
        // broker starts empty).
        const startingOffsets = via === 'bus' || ownBroker ? 'earliest' : 'latest';
        const { engine, probe } = await createEngine({
          kind,
          config,
          catalog,
          trigger: { kind: 'interval', intervalMs: p.trigger },
          settings: { startingOffsets },
          lakehouse: lakehousePath,
          checkpoint,
          source,
        });
        const chain = await startChain({
          engine,
          probe,
          simulation: new Simulation({ ...settings, sink }),
          engineAfterSinkOpens: via !== 'bus',
          // At `latest`, orders sent before the engine resolved it would be skipped: load starts after it.
          loadAfterEngineStarts: startingOffsets === 'latest',
          monitor: {
            mode: 'demo',
            source: probe?.description ?? source.description,
            sink: relativeOrAbsolute(lakehousePath),
            refreshMs: config.monitor.refresh,
            verdictWindow: config.monitor.verdictWindow,
            stopAfterMs: config.monitor.stopAfter,
            thresholds: config.monitor.thresholds,
          },
        });
        const model = chain.model!;

        // What ends the demo: the user (q, Ctrl+C, SIGTERM), --duration, or the engine failing.
        const end = untilStopped(wallMs);
        /** How the drain after the load generator stopped ended (printed to stderr). */
        let drainReport: string | undefined;
        /** The load generator's error, if it failed. */
        let loadError: string | undefined;
        const { finished, finish } = end;
        chain.engineRun.catch(() => finish());
        if (format === 'tui') {
          await showDashboard(model, finished, finish);
        } else {
          const reporter = new HeadlessReporter({
            store: model,
            format,
            intervalMs: config.monitor.reportInterval,
            write: (line) => process.stdout.write(`${line}\n`),
            lakehouse: relativeOrAbsolute(lakehousePath),
          });
          reporter.start();
          await finished;
          await shutdown();
          await model.refreshAfterNow();
          reporter.finish();
          if (drainReport) process.stderr.write(`brewline demo: ${drainReport}\n`);
          return (await closeAll()) ? 0 : 1;
        }
        await shutdown();
        const ok = await closeAll();
        if (drainReport) process.stderr.write(`brewline demo: ${drainReport}\n`);
        process.stderr.write(
          `brewline demo: lakehouse ${relativeOrAbsolute(lakehousePath)} — try: brewline query "SELECT * FROM gold.hourly_sales ORDER BY window_start" --lakehouse ${relativeOrAbsolute(lakehousePath)}\n`,
        );
        return ok ? 0 : 1;

        /** Stops the load generator, lets the engine process what was sent (bounded), then stops it. */
        async function shutdown(): Promise<void> {
          end.dispose();
          try {
            const drained = await chain.stop(DRAIN_TIMEOUT_MS);
            if (drained) drainReport = drainLine(drained);
          } catch (error) {
            // The load generator failed (the engine is stopped all the same): report it, then close everything.
            loadError = redact(error instanceof Error ? error.message : String(error));
          }
        }

        /** Closes everything; false when the engine failed (its error is printed). */
        async function closeAll(): Promise<boolean> {
          const ok = await chain.close();
          await ownBroker?.stop();
          dropBus(BUS_NAME);
          if (loadError !== undefined)
            process.stderr.write(`brewline demo: the load generator failed: ${loadError}\n`);
          if (!ok) {
            process.stderr.write(
              `brewline demo: the pipeline failed: ${engine.getSnapshot().error ?? 'unknown error'}\n`,
            );
          }
          return ok && loadError === undefined;
        }
      }),
    );
}

/** Kafka/Event Hubs flags name one topic or hub for both ends of the demo: the simulator's sink and the engine's source. */
function brokerFlags(command: Command, via: 'bus' | 'kafka' | 'eventhubs'): FlagValue[] {
  if (via === 'bus') return [];
  const both = (flags: Readonly<Record<string, string>>): FlagValue[] => [
    ...flagValues(command, Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, `sink.${v}`]))),
    ...flagValues(command, Object.fromEntries(Object.entries(flags).map(([k, v]) => [k, `source.${v}`]))),
  ];
  const kinds: FlagValue[] = [
    { path: 'sink.kind', flag: '--source', value: via },
    { path: 'source.kind', flag: '--source', value: via },
  ];
  if (via === 'kafka')
    return [
      ...kinds,
      ...both({ brokers: 'brokers', topic: 'topic' }),
      ...flagValues(command, { partitions: 'sink.partitions' }),
    ];
  return [...kinds, ...both({ hub: 'hub', namespace: 'namespace' })];
}

/** The simulation speed the Spark demo's thresholds assume: the flag's number, else the demo's default. */
function numericSpeed(text: string | undefined): number {
  const speed = text === undefined ? NaN : Number(text);
  return Number.isFinite(speed) && speed > 0 ? speed : DEMO_SPEED;
}

/** The dashboard's refresh interval for sizing the verdict window (1 s unless --refresh parses). */
function refreshMs(text: string | undefined): number {
  const ms = text === undefined ? undefined : parseDuration(text);
  return ms !== undefined && ms >= 100 ? ms : 1000;
}

/** A path as the user would type it from here. */
function relativeOrAbsolute(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel.startsWith('..') ? path : rel;
}
