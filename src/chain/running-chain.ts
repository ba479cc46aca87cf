import type { LagProbe, PartitionPosition } from '../backends/types.js';
import { systemClock, type Clock } from '../domain/clock.js';
import { redact } from '../errors.js';
import { LocalFeed } from '../monitor/local-feed.js';
import { MonitorModel, type MonitorModelOptions } from '../monitor/monitor-model.js';
import type { Simulation } from '../simulator/index.js';
import type { SimulatorStore } from '../simulator/snapshot-types.js';
import { caughtUp, type PipelineEngine } from './pipeline-engine.js';

/** How the chain's monitor model reads and refreshes (demo's dashboard / headless lines). */
export interface ChainMonitorOptions {
  readonly mode: MonitorModelOptions['mode'];
  readonly refreshMs?: number;
  readonly verdictWindow?: number;
  readonly stopAfterMs?: number;
  readonly thresholds?: MonitorModelOptions['thresholds'];
  /** Printable names for the header. */
  readonly source: string;
  readonly sink: string;
}

export interface ChainOptions {
  readonly engine: PipelineEngine;
  /**
   * The engine's source as a lag probe: fresh latest offsets for lag and for draining. Closed by `close()`.
   * Absent when brewline cannot read the engine's source positions (Spark's file source): no lag, no drain.
   */
  readonly probe?: LagProbe | undefined;
  /** The load generator (`demo`); stopped first on `stop()`. */
  readonly simulation?: Simulation;
  /**
   * Start the engine only once the simulator's sink is open: a broker topic or hub must exist (the sink
   * creates or checks it) before the engine reads it. @default false
   */
  readonly engineAfterSinkOpens?: boolean;
  /**
   * Start the load generator only once the engine has started (resolved where it reads from). Needed when the
   * engine starts at the source's `latest` offsets: orders sent before it resolved them would never be read.
   * The topic or hub must already exist. Takes precedence over `engineAfterSinkOpens`. @default false
   */
  readonly loadAfterEngineStarts?: boolean;
  /** A monitor model over the engine, the simulator, the probe and a reader on the engine's tables. */
  readonly monitor?: ChainMonitorOptions;
  /** @default systemClock */
  readonly clock?: Clock;
}

export interface RunningChain {
  readonly engine: PipelineEngine;
  readonly model: MonitorModel | undefined;
  /** Settles when the engine's run ends; rejects when it failed. */
  readonly engineRun: Promise<void>;
  /**
   * Stops the load generator, lets the engine process what was sent (see `drain`; 0 = do not wait), then
   * stops the engine and waits for its run to end. Returns how the drain ended (undefined: no drain).
   */
  stop(drainTimeoutMs?: number): Promise<DrainReport | undefined>;
  /** Stops the model, closes the engine (and its readers) and the probe. True unless the engine failed. */
  close(): Promise<boolean>;
}

/**
 * The composition of a running chain, shared by `demo`, `pipeline run` and the e2e tests: opens the engine's
 * lakehouse, starts the simulator (if any), the engine and the monitor model, and owns the order of drain
 * and shutdown. Which engine computes the pipeline is the caller's choice (`PipelineEngine`).
 */
export async function startChain(options: ChainOptions): Promise<RunningChain> {
  const { engine, probe, simulation } = options;
  const clock = options.clock ?? systemClock;
  await engine.open();
  let model: MonitorModel | undefined;
  if (options.monitor) {
    const m = options.monitor;
    model = new MonitorModel({
      feed: new LocalFeed({
        engine,
        simulator: simulation,
        probe,
        lakehouse: await engine.reader(),
        source: m.source,
        sink: m.sink,
        clock,
      }),
      mode: m.mode,
      clock,
      ...(m.refreshMs === undefined ? {} : { refreshMs: m.refreshMs }),
      ...(m.verdictWindow === undefined ? {} : { verdictWindow: m.verdictWindow }),
      ...(m.stopAfterMs === undefined ? {} : { stopAfterMs: m.stopAfterMs }),
      ...(m.thresholds === undefined ? {} : { thresholds: m.thresholds }),
    });
  }

  const stopSimulation = new AbortController();
  let simulationRun: Promise<unknown> | undefined;
  let engineRun: Promise<void>;
  if (options.loadAfterEngineStarts) {
    engineRun = engine.run();
    await engineStarted(engine, engineRun); // handles a rejection while waiting
    simulationRun = simulation?.run(stopSimulation.signal);
  } else {
    simulationRun = simulation?.run(stopSimulation.signal);
    if (simulation && simulationRun && options.engineAfterSinkOpens)
      await sinkOpened(simulation, simulationRun);
    engineRun = engine.run();
  }
  // Failures surface through engineRun's callers and the snapshot; never as an unhandled rejection.
  engineRun.catch(() => undefined);
  model?.start();

  return {
    engine,
    model,
    engineRun,
    async stop(drainTimeoutMs = 0): Promise<DrainReport | undefined> {
      stopSimulation.abort();
      try {
        await simulationRun;
        return probe && drainTimeoutMs > 0 ? await drain(engine, probe, clock, drainTimeoutMs) : undefined;
      } finally {
        // Whatever the load generator's end or the drain threw, the engine is stopped and waited for.
        engine.stop();
        await engineRun.catch(() => undefined);
      }
    },
    async close(): Promise<boolean> {
      await model?.stop();
      await engine.close();
      await probe?.close();
      return engine.getSnapshot().status !== 'failed';
    },
  };
}

/** How a drain ended. */
export interface DrainReport {
  /** The engine processed everything the probe reported. */
  readonly caughtUp: boolean;
  /** Offsets (records, for dense sources) the engine had not processed when the drain ended. */
  readonly behind: number;
  readonly waitedMs: number;
  /** Why the source could not be read when the drain gave up (e.g. the broker went away). */
  readonly sourceError?: string;
}

/**
 * Waits until the engine has processed everything the probe reports. Bounded by progress, not by a guess of
 * how fast a machine is: it gives up only when the engine has not advanced for `idleTimeoutMs` (or after
 * `maxMs` in all), so a loaded machine that is still catching up is waited for.
 */
export async function drain(
  engine: PipelineEngine,
  probe: LagProbe,
  clock: Clock,
  idleTimeoutMs: number,
  maxMs = idleTimeoutMs * 12,
): Promise<DrainReport> {
  const started = clock.now();
  let lastProgressAt = started;
  let lastDone = Number.NEGATIVE_INFINITY;
  let positions: readonly PartitionPosition[] | undefined;
  let sourceError: string | undefined;
  for (;;) {
    // A source that cannot be read (the broker went away) is no progress, not a reason to hang or throw:
    // the last positions read still say how much was left.
    try {
      positions = await probe.positions();
      sourceError = undefined;
    } catch (error) {
      sourceError = firstLine(error);
    }
    const committed = engine.getSnapshot().committedOffsets;
    const behind = (positions ?? []).reduce(
      (sum, p) => sum + Math.max(0, p.latest - (committed[String(p.partition)] ?? 0)),
      0,
    );
    const waitedMs = clock.now() - started;
    if (positions && sourceError === undefined && caughtUp(positions, committed))
      return { caughtUp: true, behind: 0, waitedMs };
    const done = Object.values(committed).reduce((sum, o) => sum + o, 0);
    if (done > lastDone) {
      lastDone = done;
      lastProgressAt = clock.now();
    }
    if (ended(engine) || clock.now() - lastProgressAt >= idleTimeoutMs || waitedMs >= maxMs) {
      return { caughtUp: false, behind, waitedMs, ...(sourceError === undefined ? {} : { sourceError }) };
    }
    await clock.sleep(100);
  }
}

/** One line for people: how the drain ended. */
export function drainLine(report: DrainReport): string {
  const seconds = (report.waitedMs / 1000).toFixed(1);
  return report.caughtUp
    ? `drained: the pipeline processed everything that was sent (waited ${seconds} s)`
    : `drain gave up after ${seconds} s without progress: ${report.behind.toLocaleString('en-US')} records were sent but not processed` +
        (report.sourceError === undefined ? '' : ` (the source could not be read: ${report.sourceError})`);
}

function firstLine(error: unknown): string {
  return redact((error instanceof Error ? error.message : String(error)).split('\n')[0]!);
}

function ended(engine: PipelineEngine): boolean {
  const status = engine.getSnapshot().status;
  return status === 'failed' || status === 'stopped';
}

/** Resolves once the simulator's sink is open (its status leaves `starting`); rejects if opening failed. */
/** Settles once the engine reports `started` (or its run ends, e.g. failing to reach the source). */
function engineStarted(engine: PipelineEngine, run: Promise<void>): Promise<void> {
  return new Promise<void>((resolve) => {
    const unsubscribe = engine.subscribe((event) => {
      if (event.type === 'started') {
        unsubscribe();
        resolve();
      }
    });
    run.then(
      () => (unsubscribe(), resolve()),
      () => (unsubscribe(), resolve()),
    );
  });
}

function sinkOpened(store: SimulatorStore, run: Promise<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = (): void => {
      if (store.getSnapshot().status !== 'starting') {
        unsubscribe();
        resolve();
      }
    };
    const unsubscribe = store.subscribe(check);
    run.then(
      () => (unsubscribe(), resolve()),
      (error: unknown) => (unsubscribe(), reject(error)),
    );
    check();
  });
}
