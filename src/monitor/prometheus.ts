import { paisaToDecimalString } from '../domain/money.js';
import { VERDICTS } from './health-verdict.js';
import type { MonitorSnapshot } from './monitor-snapshot.js';

/**
 * Prometheus text exposition format 0.0.4 of a monitor snapshot (served at `/metrics`). Money is printed as
 * its exact decimal text ("1234.50"), which the format accepts as a float literal.
 */
export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

type Labels = Readonly<Record<string, string>>;

/** Label values escape backslash, double quote and newline (the format's only escapes). */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return String(value);
}

class Exposition {
  private readonly lines: string[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string, samples: [Labels, number | string][]): void {
    if (samples.length === 0) return;
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) {
      const entries = Object.entries(labels);
      const text = entries.length
        ? `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`
        : '';
      this.lines.push(`${name}${text} ${formatValue(value)}`);
    }
  }

  text(): string {
    return `${this.lines.join('\n')}\n`;
  }
}

export function prometheusText(snapshot: MonitorSnapshot): string {
  const out = new Exposition();
  const stream = snapshot.stream;
  out.family('brewline_up', 'gauge', '1 when the last reading of engine and source succeeded.', [
    [{}, snapshot.error === undefined && snapshot.updatedAtMs !== undefined ? 1 : 0],
  ]);
  if (stream) {
    const query = { query: stream.queryName };
    out.family(
      'brewline_stream_verdict',
      'gauge',
      'Burrow-style health verdict of the query: 1 for the current verdict, 0 for the others.',
      VERDICTS.map((v) => [{ ...query, verdict: v }, stream.verdict === v ? 1 : 0]),
    );
    out.family(
      'brewline_partition_lag_offsets',
      'gauge',
      'Latest offset minus the committed end offset, read fresh.',
      stream.partitions.map((p) => [{ ...query, partition: String(p.partition) }, p.lag]),
    );
    out.family(
      'brewline_partition_lag_seconds',
      'gauge',
      'Age of the oldest unprocessed record of the partition.',
      stream.partitions
        .filter((p) => p.lagSeconds !== null)
        .map((p) => [{ ...query, partition: String(p.partition) }, p.lagSeconds ?? 0]),
    );
    out.family(
      'brewline_partition_latest_offset',
      'gauge',
      'Next offset to be written to the partition.',
      stream.partitions.map((p) => [{ ...query, partition: String(p.partition) }, p.latest]),
    );
    out.family(
      'brewline_partition_committed_offset',
      'gauge',
      'End offset the engine has committed for the partition.',
      stream.partitions.map((p) => [{ ...query, partition: String(p.partition) }, p.committed]),
    );
    out.family(
      'brewline_batches_total',
      'counter',
      'Micro-batches committed since the lakehouse was created.',
      [[query, stream.batches]],
    );
    out.family(
      'brewline_input_rows_total',
      'counter',
      'Source records read since the lakehouse was created.',
      [[query, stream.inputRows]],
    );
    out.family('brewline_quarantined_rows_total', 'counter', 'Records quarantined by silver.', [
      [query, stream.quarantined],
    ]);
    out.family(
      'brewline_dropped_by_watermark_rows_total',
      'counter',
      'Rows gold dropped as late (numRowsDroppedByWatermark).',
      [[query, stream.droppedByWatermark]],
    );
    out.family('brewline_state_rows', 'gauge', 'Rows held in the state of the gold aggregations.', [
      [query, stream.stateRows],
    ]);
    out.family(
      'brewline_watermark_timestamp_seconds',
      'gauge',
      'Event-time watermark in effect for the next batch.',
      [[query, stream.watermarkMs / 1000]],
    );
    if (stream.batchDurationMs !== null) {
      out.family('brewline_last_batch_duration_seconds', 'gauge', 'triggerExecution of the last batch.', [
        [query, stream.batchDurationMs / 1000],
      ]);
    }
    if (stream.inputRate !== null) {
      out.family('brewline_input_rows_per_second', 'gauge', "Spark's inputRowsPerSecond of the last batch.", [
        [query, stream.inputRate],
      ]);
    }
    if (stream.processedRate !== null) {
      out.family(
        'brewline_processed_rows_per_second',
        'gauge',
        "Spark's processedRowsPerSecond of the last batch.",
        [[query, stream.processedRate]],
      );
    }
    if (stream.sinceProgressMs !== null) {
      out.family(
        'brewline_seconds_since_progress',
        'gauge',
        "Time since the engine's last progress or idle event.",
        [[query, stream.sinceProgressMs / 1000]],
      );
    }
  }
  const gold = snapshot.gold;
  if (gold) {
    out.family(
      'brewline_gold_revenue_npr',
      'gauge',
      'Revenue in gold.branch_revenue over all windows, NPR.',
      [[{}, paisaToDecimalString(gold.totals.revenue)]],
    );
    out.family('brewline_gold_orders', 'gauge', 'Orders in gold.branch_revenue over all windows.', [
      [{}, gold.totals.orders],
    ]);
    out.family(
      'brewline_gold_branch_revenue_npr',
      'gauge',
      'Revenue per branch over all windows, NPR.',
      gold.branches.map((b) => [{ branch: b.branch }, paisaToDecimalString(b.revenue)]),
    );
  }
  const load = snapshot.load;
  if (load) {
    out.family('brewline_simulator_acked_total', 'counter', 'Messages the sink acknowledged.', [
      [{}, load.acked],
    ]);
    out.family('brewline_simulator_errors_total', 'counter', 'Sends that failed.', [[{}, load.errors]]);
    out.family(
      'brewline_simulator_faults_total',
      'counter',
      'Faults injected, by kind.',
      Object.entries(load.faults).map(([kind, n]) => [{ kind }, n]),
    );
  }
  return out.text();
}
