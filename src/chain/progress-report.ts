import { formatEventTime } from '../domain/time.js';
import type { BatchProgress, EngineEvent } from '../pipeline/progress-types.js';
import type { PipelineEngine } from './pipeline-engine.js';

const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** A watermark for people: before the first event time there is none (Spark reports it as the epoch). */
export function watermarkText(ms: number): string {
  return ms <= 0 ? 'no watermark yet' : `watermark ${formatEventTime(ms)}`;
}

/** The one-line progress report of a batch (`pipeline run`, stderr), the same for every engine. */
export function progressLine(p: BatchProgress): string {
  const lag = p.sources.reduce(
    (sum, s) =>
      sum +
      Object.entries(s.latestOffset).reduce((l, [k, v]) => l + Math.max(0, v - (s.endOffset[k] ?? 0)), 0),
    0,
  );
  // Late orders (every gold operator drops the same ones; their numRowsDroppedByWatermark count groups).
  const dropped = p.stateOperators[0]?.numLateOrders ?? 0;
  const rate = p.processedRowsPerSecond === null ? '-' : `${count(p.processedRowsPerSecond)}/s`;
  const mb = (bytes: number): string => `${count(bytes / 2 ** 20)} MiB`;
  const memory = p.memory
    ? `  rss ${mb(p.memory.rssBytes)}${p.memory.lakehouseBytes === undefined ? '' : ` duckdb ${mb(p.memory.lakehouseBytes)}`}`
    : '';
  return (
    `batch ${p.batchId}  ${count(p.numInputRows)} rows  ${count(p.silver.orders)} orders  ` +
    `${count(p.silver.duplicates)} dup  ${count(p.silver.quarantined)} quarantined  ${count(dropped)} late orders dropped  ` +
    `${watermarkText(Date.parse(p.eventTime.watermark))}  lag ${count(lag)}  ${count(p.durationMs.triggerExecution ?? 0)} ms  ${rate}${memory}`
  );
}

/** Writes a line per batch, one per idle spell, and the start line; returns the unsubscribe. */
export function reportProgress(
  engine: PipelineEngine,
  from: string,
  write: (line: string) => void,
): () => void {
  let idle = false;
  return engine.subscribe((event: EngineEvent) => {
    if (event.type === 'progress') {
      idle = false;
      write(progressLine(event.progress));
    } else if (event.type === 'idle' && !idle) {
      idle = true;
      write(`idle: no new data (${watermarkText(engine.getSnapshot().watermarkMs)})`);
    } else if (event.type === 'started') {
      write(`pipeline ${event.queryName} (id ${event.queryId}) from ${from} into ${engine.description}`);
    }
  });
}

/** The closing line of `pipeline run`. */
export function summaryLine(engine: PipelineEngine): string {
  const s = engine.getSnapshot();
  return `pipeline stopped: ${count(s.totals.batches)} batches, ${count(s.totals.inputRows)} rows in total; ${watermarkText(s.watermarkMs)}`;
}

/**
 * First SIGINT/SIGTERM: finish the batch in progress and stop. Second: leave at once — nothing half-written
 * is ever committed (the embedded engine's DuckDB transaction, Spark's commits/N), so the batch re-runs from
 * offsets/N on the next start. Returns the function that removes the handlers.
 */
export function stopOnSignals(
  engine: PipelineEngine,
  write: (line: string) => void,
  abandon: () => void = () => process.exit(130),
): () => void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals === 1) {
      write(`${signal}: finishing the current batch, then stopping (again to abandon it)`);
      engine.stop();
    } else {
      abandon();
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return () => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
}
