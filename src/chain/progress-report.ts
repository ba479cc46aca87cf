import { formatEventTime } from '../domain/time.js';
import type { BatchProgress, EngineEvent } from '../pipeline/progress-types.js';
import type { PipelineEngine } from './pipeline-engine.js';
import { ProgressPrinter, type ProgressState } from '../monitor/progress-bar.js';

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

/**
 * Progress of an available-now run: the target is the source's latest offsets when the first batch was
 * planned (the engine's plan: everything available at start), progress is the offsets processed since.
 * Pure: fed with batches, read as a `ProgressState` for the progress bar.
 */
export class AvailableNowProgress {
  /** What an offset counts: records (Kafka, Event Hubs), bytes (the embedded engine's file source). */
  constructor(private readonly unit: 'records' | 'bytes' | 'offsets' = 'offsets') {}

  private start: Record<string, number> | undefined;
  private target: Record<string, number> | undefined;
  private readonly end: Record<string, number> = {};

  /** Takes a batch into account. */
  add(p: BatchProgress): void {
    if (this.start === undefined) {
      const start: Record<string, number> = {};
      const target: Record<string, number> = {};
      for (const s of p.sources) {
        for (const [k, v] of Object.entries(s.startOffset)) start[k] = Math.min(start[k] ?? v, v);
        for (const [k, v] of Object.entries(s.latestOffset)) target[k] = Math.max(target[k] ?? v, v);
        // A partition with no start offset yet starts at 0.
        for (const k of Object.keys(s.latestOffset)) start[k] ??= 0;
      }
      this.start = start;
      this.target = target;
    }
    for (const s of p.sources) {
      for (const [k, v] of Object.entries(s.endOffset)) this.end[k] = Math.max(this.end[k] ?? v, v);
    }
  }

  /** What the bar shows: offsets processed of those planned (total unknown before the first batch). */
  state(): ProgressState {
    if (this.start === undefined || this.target === undefined) {
      return { done: 0, total: undefined, unit: this.unit, detail: 'planning' };
    }
    let done = 0;
    let total = 0;
    for (const [k, target] of Object.entries(this.target)) {
      const start = this.start[k] ?? 0;
      total += Math.max(0, target - start);
      done += Math.max(0, Math.min(target, this.end[k] ?? start) - start);
    }
    return { done, total, unit: this.unit };
  }
}

export interface ReportProgressOptions {
  /** `--available-now`: show progress towards the data available at start. */
  readonly availableNow?: boolean;
  /** What the source's offsets count, for the bar's unit. @default 'offsets' */
  readonly offsetUnit?: 'records' | 'bytes' | 'offsets';
  /** Where the bar goes on a terminal; @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Passed to the progress printer (tests). */
  readonly ttyIntervalMs?: number;
  readonly plainIntervalMs?: number;
  readonly now?: () => number;
}

/**
 * Writes a line per batch, one per idle spell, and the start line; returns the unsubscribe. With
 * `availableNow` on a terminal the per-batch lines give way to one progress line rewritten in place (bar,
 * percentage, rate, ETA; never wider than the terminal); elsewhere the per-batch lines stay exactly as they
 * are and a plain progress line is added now and then.
 */
export function reportProgress(
  engine: PipelineEngine,
  from: string,
  write: (line: string) => void,
  options: ReportProgressOptions = {},
): () => void {
  let idle = false;
  const stream = options.stream ?? process.stderr;
  const tty = options.availableNow === true && stream.isTTY === true;
  const tracker = options.availableNow === true ? new AvailableNowProgress(options.offsetUnit) : undefined;
  const printer = tracker
    ? new ProgressPrinter({
        stream,
        read: () => tracker.state(),
        ...(options.ttyIntervalMs === undefined ? {} : { ttyIntervalMs: options.ttyIntervalMs }),
        ...(options.plainIntervalMs === undefined ? {} : { plainIntervalMs: options.plainIntervalMs }),
        ...(options.now === undefined ? {} : { now: options.now }),
      })
    : undefined;
  let printing = false;
  // On `started`, or the first batch for an engine that reports none.
  const startPrinter = (): void => {
    if (!printer || printing) return;
    printing = true;
    printer.start();
  };
  /** A line above the bar: the bar is erased first and comes back on its next tick. */
  const writeLine = (line: string): void => {
    if (tty && printing) stream.write('\r\x1b[K');
    write(line);
  };
  const unsubscribe = engine.subscribe((event: EngineEvent) => {
    if (event.type === 'progress') {
      idle = false;
      tracker?.add(event.progress);
      startPrinter();
      if (!tty) write(progressLine(event.progress));
    } else if (event.type === 'idle' && !idle) {
      idle = true;
      writeLine(`idle: no new data (${watermarkText(engine.getSnapshot().watermarkMs)})`);
    } else if (event.type === 'started') {
      writeLine(`pipeline ${event.queryName} (id ${event.queryId}) from ${from} into ${engine.description}`);
      startPrinter();
    } else if (event.type === 'terminated' && printing) {
      printing = false;
      printer?.stop();
    }
  });
  return () => {
    unsubscribe();
    if (printing) printer?.stop();
    printing = false;
  };
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
