import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { paisaToDecimalString } from '../domain/money.js';
import type { BuildInfo } from '../build-info.js';
import type { GoldSnapshot } from './feed-types.js';
import { VERDICTS } from './health-verdict.js';
import type { LoadStats, MonitorSnapshot } from './monitor-snapshot.js';

/**
 * Prometheus metrics of a running pipeline or simulator, named and typed by prom-client (the registry
 * validates names and renders text format 0.0.4): counters for totals, histograms for ack latency and batch
 * duration, gauges for the current state, `brewline_build_info` and the default process metrics. Every
 * series the README lists is present from the first scrape (no series appear only once a value exists).
 */
export const METRIC_NAMES = {
  buildInfo: 'brewline_build_info',
  up: 'brewline_up',
  verdict: 'brewline_stream_verdict',
  lag: 'brewline_partition_lag_offsets',
  lagSeconds: 'brewline_partition_lag_seconds',
  latest: 'brewline_partition_latest_offset',
  committed: 'brewline_partition_committed_offset',
  batches: 'brewline_batches_total',
  inputRows: 'brewline_input_rows_total',
  quarantined: 'brewline_quarantined_rows_total',
  dropped: 'brewline_dropped_by_watermark_rows_total',
  stateRows: 'brewline_state_rows',
  watermark: 'brewline_watermark_timestamp_seconds',
  lastProgress: 'brewline_last_progress_timestamp_seconds',
  batchDuration: 'brewline_batch_duration_seconds',
  goldRevenue: 'brewline_gold_revenue_npr',
  goldOrders: 'brewline_gold_orders',
  goldBranchRevenue: 'brewline_gold_branch_revenue_npr',
  simGenerated: 'brewline_simulator_generated_total',
  simAcked: 'brewline_simulator_acked_total',
  simRejected: 'brewline_simulator_rejected_total',
  simErrors: 'brewline_simulator_errors_total',
  simThrottled: 'brewline_simulator_throttled_total',
  simFaults: 'brewline_simulator_faults_total',
  simInFlight: 'brewline_simulator_in_flight',
  ackLatency: 'brewline_simulator_ack_latency_seconds',
} as const;

/** Buckets for batch durations and ack latencies, seconds (1 ms … 30 s). */
const SECONDS_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** A counter that follows an absolute total read from a snapshot (increments by the difference). */
class TotalCounter<L extends string> {
  private readonly seen = new Map<string, number>();
  constructor(readonly counter: Counter<L>) {}

  set(labels: Partial<Record<L, string>>, total: number): void {
    const key = JSON.stringify(labels);
    const before = this.seen.get(key) ?? 0;
    // A total that went down is a new lakehouse or simulator run: start the series again.
    if (total < before) {
      this.counter.remove(labels);
      this.counter.inc(labels, total);
    } else if (total > before) {
      this.counter.inc(labels, total - before);
    } else if (!this.seen.has(key)) {
      this.counter.inc(labels, 0);
    }
    this.seen.set(key, total);
  }
}

export class BrewlineMetrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;
  private readonly g: Record<string, Gauge<string>> = {};
  private readonly c: Record<string, TotalCounter<string>> = {};
  private readonly batchDuration: Histogram<'query'>;
  private readonly ackLatency: Histogram<string>;
  private lastBatchObserved = -1;

  constructor(build: BuildInfo, options: { readonly process?: boolean } = {}) {
    const r = [this.registry];
    if (options.process ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'brewline_' });
    new Gauge({
      name: METRIC_NAMES.buildInfo,
      help: 'Always 1; the labels name the build.',
      labelNames: ['version', 'commit', 'node'],
      registers: r,
    }).set({ version: build.version, commit: build.commit, node: process.versions.node }, 1);
    const gauge = (key: keyof typeof METRIC_NAMES, help: string, labelNames: string[] = []): void => {
      this.g[key] = new Gauge({ name: METRIC_NAMES[key], help, labelNames, registers: r });
    };
    const counter = (key: keyof typeof METRIC_NAMES, help: string, labelNames: string[] = []): void => {
      this.c[key] = new TotalCounter(
        new Counter({ name: METRIC_NAMES[key], help, labelNames, registers: r }),
      );
    };
    gauge('up', '1 when the last reading succeeded and is fresh (the verdict is neither STALE nor DOWN).');
    gauge('verdict', 'Health verdict of the query: 1 for the current verdict, 0 for the others.', [
      'query',
      'verdict',
    ]);
    gauge('lag', 'Latest offset minus the committed end offset, read fresh (bytes for file sources).', [
      'query',
      'partition',
      'unit',
    ]);
    gauge('lagSeconds', 'Age of the oldest unprocessed record; NaN when the source cannot tell.', [
      'query',
      'partition',
    ]);
    gauge('latest', 'Next offset to be written to the partition.', ['query', 'partition']);
    gauge('committed', 'End offset the engine has committed for the partition.', ['query', 'partition']);
    counter('batches', 'Micro-batches committed since the lakehouse was created.', ['query']);
    counter('inputRows', 'Source records read since the lakehouse was created.', ['query']);
    counter('quarantined', 'Records quarantined by silver.', ['query']);
    counter('dropped', 'Rows gold dropped as late (numRowsDroppedByWatermark).', ['query']);
    gauge('stateRows', 'Rows held in the state of the gold aggregations.', ['query']);
    gauge('watermark', 'Event-time watermark in effect for the next batch (0 before any).', ['query']);
    gauge('lastProgress', "Wall-clock time of the engine's last progress or idle event (0 before any).", [
      'query',
    ]);
    this.batchDuration = new Histogram({
      name: METRIC_NAMES.batchDuration,
      help: 'triggerExecution of each micro-batch.',
      labelNames: ['query'],
      buckets: SECONDS_BUCKETS,
      registers: r,
    });
    gauge('goldRevenue', 'Revenue in gold.branch_revenue over all windows, NPR (exact to the paisa).');
    gauge('goldOrders', 'Orders in gold.branch_revenue over all windows.');
    gauge('goldBranchRevenue', 'Revenue per branch over all windows, NPR.', ['branch']);
    counter('simGenerated', 'Messages the load generator produced.');
    counter('simAcked', 'Messages the sink acknowledged.');
    counter('simRejected', 'Messages the sink refused (e.g. over its size limit).');
    counter('simErrors', 'Sends that failed.');
    counter('simThrottled', 'Times the sink throttled a send.');
    counter('simFaults', 'Faults injected, by kind.', ['kind']);
    gauge('simInFlight', 'Sends awaiting acknowledgement.');
    this.ackLatency = new Histogram({
      name: METRIC_NAMES.ackLatency,
      help: 'Time from send to the last acknowledgement of each send call.',
      buckets: SECONDS_BUCKETS,
      registers: r,
    });
  }

  /** One send's acknowledgement latency (the simulator's sink reports each). */
  observeAck(latencyMs: number): void {
    this.ackLatency.observe(latencyMs / 1000);
  }

  /** Sets every gauge and counter from a monitor snapshot; new batches in its history go into the histogram. */
  observe(s: MonitorSnapshot): void {
    this.g['up']!.set(s.error === undefined && s.updatedAtMs !== undefined && s.liveness === 'live' ? 1 : 0);
    const stream = s.stream;
    if (stream) {
      const query = stream.queryName || 'orders';
      for (const v of VERDICTS) this.g['verdict']!.set({ query, verdict: v }, stream.verdict === v ? 1 : 0);
      for (const p of stream.partitions) {
        const partition = String(p.partition);
        this.g['lag']!.set({ query, partition, unit: stream.offsetUnit }, p.lag);
        this.g['lagSeconds']!.set({ query, partition }, p.lagSeconds ?? Number.NaN);
        this.g['latest']!.set({ query, partition }, p.latest);
        this.g['committed']!.set({ query, partition }, p.committed);
      }
      this.c['batches']!.set({ query }, stream.batches);
      this.c['inputRows']!.set({ query }, stream.inputRows);
      this.c['quarantined']!.set({ query }, stream.quarantined);
      this.c['dropped']!.set({ query }, stream.droppedByWatermark);
      this.g['stateRows']!.set({ query }, stream.stateRows);
      this.g['watermark']!.set({ query }, stream.watermarkMs / 1000);
      this.g['lastProgress']!.set(
        { query },
        stream.sinceProgressMs === null || s.updatedAtMs === undefined
          ? 0
          : (s.updatedAtMs - stream.sinceProgressMs) / 1000,
      );
      for (const batch of stream.recentBatches) {
        if (batch.batchId <= this.lastBatchObserved) continue;
        this.batchDuration.observe({ query }, batch.durationMs / 1000);
        this.lastBatchObserved = batch.batchId;
      }
    }
    if (s.gold) this.observeGold(s.gold);
    if (s.load) this.observeLoad(s.load);
  }

  observeGold(gold: GoldSnapshot): void {
    this.g['goldRevenue']!.set(Number(paisaToDecimalString(gold.totals.revenue)));
    this.g['goldOrders']!.set(gold.totals.orders);
    for (const b of gold.branches) {
      this.g['goldBranchRevenue']!.set({ branch: b.branch }, Number(paisaToDecimalString(b.revenue)));
    }
  }

  observeLoad(load: LoadStats): void {
    this.c['simGenerated']!.set({}, load.generated);
    this.c['simAcked']!.set({}, load.acked);
    this.c['simRejected']!.set({}, load.rejected);
    this.c['simErrors']!.set({}, load.errors);
    this.c['simThrottled']!.set({}, load.throttled);
    for (const [kind, n] of Object.entries(load.faults)) this.c['simFaults']!.set({ kind }, n);
    this.g['simInFlight']!.set(load.inFlight);
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}
