import type { LagProbe } from '../backends/types.js';
import { systemClock } from '../domain/clock.js';
import { DATABRICKS_LAKEHOUSE, openLakehouseReader } from '../backends/lakehouse-readers.js';
import type { GoldSnapshot, StatusFeed, StreamReading } from '../monitor/feed-types.js';
import { HeadlessReporter } from '../monitor/headless-reporter.js';
import { MonitorModel } from '../monitor/monitor-model.js';
import { SourceCheckedFeed } from '../monitor/source-checked-feed.js';
import { WarehouseFeed } from '../monitor/warehouse-feed.js';
import type { Simulation } from '../simulator/index.js';
import { showDashboard, untilStopped, type ViewFormat } from './view-options.js';

/** The demo's feed: the Databricks pipeline's health and gold, plus this process's load generator. */
class WithLoadGenerator implements StatusFeed {
  readonly description: string;
  constructor(
    private readonly inner: StatusFeed,
    private readonly simulation: Simulation,
  ) {
    this.description = inner.description;
  }
  async readStream(): Promise<StreamReading> {
    return { ...(await this.inner.readStream()), simulator: this.simulation.getSnapshot() };
  }
  readGold(branch: string | null): Promise<GoldSnapshot> {
    return this.inner.readGold(branch);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

export interface DatabricksDemoOptions {
  /** The load generator, its sink the Event Hubs (or Kafka) topic the Databricks job reads. */
  readonly simulation: Simulation;
  /** The same topic as a lag probe: fresh latest offsets against the job's committed ones. */
  readonly probe: LagProbe;
  readonly format: ViewFormat;
  readonly wallMs: number | undefined;
  readonly queryName: string;
  readonly refreshMs: number;
  readonly reportIntervalMs: number;
  readonly verdictWindow: number;
  readonly stopAfterMs: number;
  readonly write: (line: string) => void;
}

/**
 * `brewline demo --source eventhubs --lakehouse databricks`: drives load into Event Hubs while watching the
 * Databricks pipeline consume it. No engine runs here: the job on Databricks (the bundle's always-on stream
 * job, or the scheduled medallion job) reads the hub; the dashboard shows its progress and gold from the SQL
 * warehouse, and lag read fresh from the hub by this process.
 */
export async function runDatabricksDemo(options: DatabricksDemoOptions): Promise<number> {
  const reader = await openLakehouseReader(DATABRICKS_LAKEHOUSE);
  const warehouse = new WarehouseFeed({ reader, queryName: options.queryName, clock: systemClock });
  const feed = new WithLoadGenerator(new SourceCheckedFeed(warehouse, options.probe), options.simulation);
  const model = new MonitorModel({
    feed,
    mode: 'demo',
    clock: systemClock,
    refreshMs: options.refreshMs,
    verdictWindow: options.verdictWindow,
    stopAfterMs: options.stopAfterMs,
  });
  // Fail fast with one line when the workspace or the warehouse does not answer.
  await feed.readStream();
  const stopSimulation = new AbortController();
  const simulationRun = options.simulation.run(stopSimulation.signal);
  simulationRun.catch(() => undefined);
  model.start();
  const end = untilStopped(options.wallMs);
  simulationRun.then(
    () => undefined,
    () => end.finish(),
  );
  let failed: unknown;
  try {
    if (options.format === 'tui') {
      await showDashboard(model, end.finished, end.finish);
    } else {
      const reporter = new HeadlessReporter({
        store: model,
        format: options.format,
        intervalMs: options.reportIntervalMs,
        write: options.write,
      });
      reporter.start();
      await end.finished;
      stopSimulation.abort();
      await simulationRun.catch((error: unknown) => (failed = error));
      await model.refreshAfterNow();
      reporter.finish();
    }
  } finally {
    end.dispose();
    stopSimulation.abort();
    await simulationRun.catch((error: unknown) => (failed ??= error));
    await model.stop();
    await feed.close();
  }
  if (failed !== undefined) throw failed;
  return 0;
}
