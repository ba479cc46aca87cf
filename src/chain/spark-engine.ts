import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DeltaLakehouseReader } from '../backends/delta/delta-lakehouse-reader.js';
import { ensurePythonEnvironment, sparkJobFiles } from '../backends/spark/python-env.js';
import { SparkJob, type SparkJobExit } from '../backends/spark/spark-job.js';
import type { SilverCounts, SparkJobEvent } from '../backends/spark/spark-progress.js';
import type { LakehouseReader } from '../backends/types.js';
import type { OutputMode } from '../config/pipeline-config.js';
import type { WindowSpec } from '../domain/time.js';
import { ExternalError } from '../errors.js';
import type { Trigger } from '../pipeline/engine.js';
import type { BatchProgress, EngineEvent, EngineSnapshot } from '../pipeline/progress-types.js';
import type { PipelineEngine } from './pipeline-engine.js';

/** Where the Spark job reads: a Kafka topic (Spark's own Kafka source) or NDJSON files (Spark's file source). */
export type SparkSource =
  | { readonly kind: 'kafka'; readonly brokers: readonly string[]; readonly topic: string }
  | { readonly kind: 'file'; readonly path: string };

export interface SparkEngineOptions {
  readonly source: SparkSource;
  /** Folder of Delta tables `<dir>/<schema>/<table>`. */
  readonly lakehouseDir: string;
  /** Spark checkpoint root (one folder per query). @default `<lakehouseDir>/_checkpoints` */
  readonly checkpointDir?: string;
  readonly trigger: Trigger;
  readonly settings: {
    readonly queryName: string;
    readonly maxRecordsPerBatch?: number | undefined;
    readonly outputMode: OutputMode;
    readonly window: WindowSpec;
    readonly watermarkDelayMs: number;
    readonly startingOffsets: 'earliest' | 'latest';
  };
  /** The venv interpreter; found (and the venv created) by scripts/python/ensure-env.mjs when absent. */
  readonly python?: string;
  /** After a stop request, how long the job may finish its batch before it is killed. @default 120_000 */
  readonly stopTimeoutMs?: number;
  /** Another entry point than `tasks/stream.py` (tests: a stand-in job speaking the same protocol). */
  readonly script?: { readonly path: string; readonly pythonPath: string };
  /** Extra environment for the job. */
  readonly env?: NodeJS.ProcessEnv;
  /** Progress of the environment bootstrap (first run: venv and jars). @default stderr */
  readonly log?: (line: string) => void;
  /** Progress entries kept in the snapshot. @default 100 */
  readonly historySize?: number;
}

const ms = (d: number): string => `${Math.round(d)}ms`;

/** The job parameters (PLAN interface 4) for these options. */
export function sparkJobArgs(o: SparkEngineOptions, checkpointDir: string): string[] {
  const s = o.settings;
  const args = [
    '--source',
    o.source.kind === 'kafka' ? 'kafka' : `file:${resolve(o.source.path)}`,
    '--lakehouse',
    resolve(o.lakehouseDir),
    '--checkpoint',
    checkpointDir,
    '--output-mode',
    s.outputMode,
    '--window',
    ms(s.window.durationMs),
    '--window-offset',
    ms(s.window.startOffsetMs),
    '--watermark-delay',
    ms(s.watermarkDelayMs),
    '--trigger',
    o.trigger.kind === 'availableNow' ? 'available-now' : ms(o.trigger.intervalMs),
    '--starting-offsets',
    s.startingOffsets,
  ];
  if (o.source.kind === 'kafka')
    args.push('--brokers', o.source.brokers.join(','), '--topic', o.source.topic);
  if (s.maxRecordsPerBatch !== undefined) args.push('--max-records-per-batch', String(s.maxRecordsPerBatch));
  return args;
}

/**
 * The local Spark engine: the PySpark pipeline (`tasks/stream.py`, one query through all layers) as a
 * supervised child process writing Delta tables, seen through its progress protocol; gold and progress are
 * read back through the Delta reader.
 */
export class SparkEngine implements PipelineEngine {
  readonly kind = 'spark' as const;
  readonly description: string;
  readonly checkpointDir: string;
  private readonly options: SparkEngineOptions;
  private readonly listeners = new Set<(event: EngineEvent) => void>();
  private readonly readers = new Set<LakehouseReader>();
  private readonly pendingSilver = new Map<number, SilverCounts>();
  private job: SparkJob | undefined;
  private python: string | undefined;
  private stopRequested = false;
  private followed: string | undefined;
  private gold: BatchProgress | undefined;
  private readonly names = new Map<string, string>();
  private snapshot: EngineSnapshot;

  constructor(options: SparkEngineOptions) {
    this.options = options;
    this.description = `Delta lakehouse ${resolve(options.lakehouseDir)} (local Spark)`;
    this.checkpointDir = resolve(options.checkpointDir ?? join(options.lakehouseDir, '_checkpoints'));
    this.snapshot = {
      status: 'starting',
      queryName: options.settings.queryName,
      queryId: undefined,
      lastProgress: undefined,
      recentProgress: [],
      watermarkMs: 0,
      committedOffsets: {},
      totals: { batches: 0, inputRows: 0, quarantined: 0, droppedByWatermark: 0 },
      lastEventAtMs: undefined,
      error: undefined,
    };
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  getSnapshot(): EngineSnapshot {
    return this.snapshot;
  }

  /** The job's process id while it runs (tests kill it). */
  get pid(): number | undefined {
    return this.job?.pid;
  }

  /** Ensures the Python environment and creates the lakehouse folder. */
  async open(): Promise<void> {
    mkdirSync(this.options.lakehouseDir, { recursive: true });
    this.python ??= this.options.python ?? (await ensurePythonEnvironment(undefined, this.options.log));
  }

  async run(): Promise<void> {
    await this.open();
    const files = sparkJobFiles();
    const job = new SparkJob({
      python: this.python!,
      script: this.options.script?.path ?? files.streamTask,
      pythonPath: this.options.script?.pythonPath ?? files.pythonPath,
      args: sparkJobArgs(this.options, this.checkpointDir),
      logDir: join(resolve(this.options.lakehouseDir), '_logs'),
      cwd: files.root,
      onEvent: (event) => this.onJobEvent(event),
      ...(this.options.stopTimeoutMs === undefined ? {} : { stopTimeoutMs: this.options.stopTimeoutMs }),
      ...(this.options.env ? { env: this.options.env } : {}),
    });
    this.job = job;
    let exit: SparkJobExit;
    try {
      const exited = job.start();
      if (this.stopRequested) job.stop();
      exit = await exited;
    } catch (error) {
      this.fail(error instanceof Error ? error.message : String(error));
      throw error;
    }
    // On SIGTERM the job stops its queries and exits 130 (or dies of the signal if it had no handler yet).
    const clean =
      exit.code === 0 ||
      (this.stopRequested && !exit.killed && (exit.code === 130 || exit.signal === 'SIGTERM'));
    if (clean) {
      this.update({ status: 'stopped' });
      return;
    }
    const how = exit.killed
      ? 'was killed after not stopping in time'
      : exit.signal
        ? `was ended by ${exit.signal}`
        : `exited with code ${exit.code}`;
    const tail = job.logTail(8);
    const message = `the Spark job ${how}${this.snapshot.error ? `: ${this.snapshot.error}` : ''}`;
    this.fail(message);
    throw new ExternalError(message, {
      hint: `its log: ${job.logPath}${tail ? `\n${tail}` : ''}`,
    });
  }

  stop(): void {
    if (this.snapshot.status === 'stopped' || this.snapshot.status === 'failed') return;
    this.stopRequested = true;
    this.update({ status: 'stopping' });
    this.job?.stop();
  }

  /** Kills the job at once (SIGKILL to its process group), as a crash would. */
  kill(): void {
    this.job?.kill();
  }

  async reader(): Promise<LakehouseReader> {
    const reader = new DeltaLakehouseReader({ dir: this.options.lakehouseDir });
    this.readers.add(reader);
    return reader;
  }

  async close(): Promise<void> {
    this.job?.stop();
    for (const reader of this.readers) await reader.close();
    this.readers.clear();
  }

  /**
   * The job runs one query reading the source (`ingest`, or `bronze` in the chain shape) and a `gold` query
   * with the watermark and the stateful operators. The snapshot follows the source query (batches, offsets,
   * lag) and takes the watermark and the drop counters from gold.
   */
  private isGold(name: string): boolean {
    return name === 'gold' || name.endsWith('gold');
  }

  private isPrimary(name: string): boolean {
    if (this.followed === undefined && !this.isGold(name)) this.followed = name;
    return name === this.followed;
  }

  private onJobEvent(event: SparkJobEvent): void {
    const now = Date.now();
    switch (event.event) {
      case 'started': {
        this.names.set(event.queryId, event.queryName);
        if (!this.isPrimary(event.queryName)) return;
        this.update({
          status: 'running',
          queryName: event.queryName,
          queryId: event.queryId,
          lastEventAtMs: now,
        });
        this.emit({
          type: 'started',
          queryName: event.queryName,
          queryId: event.queryId,
          runId: event.runId,
          timestamp: event.timestamp,
        });
        return;
      }
      case 'silver':
        this.pendingSilver.set(event.batchId, event.silver);
        return;
      case 'progress': {
        const p = event.progress;
        if (this.isGold(p.queryName)) {
          this.onGoldProgress(p);
          return;
        }
        if (!this.isPrimary(p.queryName)) return;
        const silver = this.pendingSilver.get(p.batchId);
        this.pendingSilver.delete(p.batchId);
        const gold = this.gold;
        const progress: BatchProgress = {
          ...p,
          ...(silver ? { silver } : {}),
          ...(gold && p.stateOperators.length === 0 ? { stateOperators: gold.stateOperators } : {}),
          eventTime: { ...p.eventTime, watermark: gold ? gold.eventTime.watermark : p.eventTime.watermark },
        };
        this.onProgress(progress, now);
        return;
      }
      case 'idle': {
        const name = event.queryName || this.names.get(event.queryId) || '';
        if (name !== this.followed) return;
        if (!this.stopRequested) this.update({ status: 'idle', lastEventAtMs: now });
        this.emit({ type: 'idle', queryName: name, timestamp: event.timestamp });
        return;
      }
      case 'terminated': {
        const name = event.queryName || this.names.get(event.queryId) || '';
        if (event.error) this.update({ error: event.error });
        if (name !== this.followed) return;
        this.emit({
          type: 'terminated',
          queryName: name,
          timestamp: event.timestamp,
          ...(event.error ? { error: event.error } : {}),
        });
        return;
      }
    }
  }

  private onGoldProgress(p: BatchProgress): void {
    this.gold = p;
    const s = this.snapshot;
    const max = p.eventTime.max === undefined ? NaN : Date.parse(p.eventTime.max);
    const candidate = Number.isFinite(max) ? max - this.options.settings.watermarkDelayMs : 0;
    const dropped = p.stateOperators.reduce((sum, op) => sum + op.numRowsDroppedByWatermark, 0);
    this.update({
      watermarkMs: Math.max(s.watermarkMs, candidate, Date.parse(p.eventTime.watermark) || 0),
      totals: { ...s.totals, droppedByWatermark: s.totals.droppedByWatermark + dropped },
    });
  }

  private onProgress(progress: BatchProgress, now: number): void {
    const s = this.snapshot;
    const history = this.options.historySize ?? 100;
    const committed: Record<string, number> = { ...s.committedOffsets };
    for (const source of progress.sources) Object.assign(committed, source.endOffset);
    const max = progress.eventTime.max === undefined ? NaN : Date.parse(progress.eventTime.max);
    const candidate =
      this.gold === undefined && Number.isFinite(max) ? max - this.options.settings.watermarkDelayMs : 0;
    const dropped =
      this.gold === undefined
        ? progress.stateOperators.reduce((sum, op) => sum + op.numRowsDroppedByWatermark, 0)
        : 0;
    this.update({
      status: this.stopRequested ? 'stopping' : 'running',
      queryId: progress.queryId || s.queryId,
      lastProgress: progress,
      recentProgress: [...s.recentProgress, progress].slice(-history),
      // Spark's rule (one input): max event time seen − delay, monotonic; in effect from the next batch.
      watermarkMs: Math.max(s.watermarkMs, candidate, Date.parse(progress.eventTime.watermark) || 0),
      committedOffsets: committed,
      totals: {
        batches: Math.max(s.totals.batches, progress.batchId + 1),
        inputRows: s.totals.inputRows + progress.numInputRows,
        quarantined: s.totals.quarantined + progress.silver.quarantined,
        droppedByWatermark: s.totals.droppedByWatermark + dropped,
      },
      lastEventAtMs: now,
    });
    this.emit({ type: 'progress', progress });
  }

  private fail(message: string): void {
    this.update({ status: 'failed', error: message });
  }

  private update(patch: Partial<EngineSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
  }

  private emit(event: EngineEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}
