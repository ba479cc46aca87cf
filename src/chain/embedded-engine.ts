import { DuckDBLakehouse } from '../backends/duckdb/duckdb-lakehouse.js';
import type { LakehouseReader, Source } from '../backends/types.js';
import type { Catalog } from '../domain/catalog.js';
import type { Clock } from '../domain/clock.js';
import { StreamingQuery, type StreamingQueryOptions, type Trigger } from '../pipeline/engine.js';
import type { EngineEvent, EngineSnapshot } from '../pipeline/progress-types.js';
import type { PipelineEngine } from './pipeline-engine.js';

export interface EmbeddedEngineOptions {
  readonly source: Source;
  /** DuckDB file the engine writes. */
  readonly lakehousePath: string;
  readonly checkpointDir: string;
  readonly catalog: Catalog;
  readonly trigger: Trigger;
  /** The query settings (`querySettings(config.pipeline)`): name, window, watermark, mode, batch bound. */
  readonly settings: Omit<
    StreamingQueryOptions,
    'source' | 'lakehouse' | 'checkpointDir' | 'catalog' | 'trigger' | 'clock'
  >;
  readonly clock?: Clock;
  /** DuckDB's memory limit (`pipeline.memoryLimit`); see DuckDBLakehouseOptions. */
  readonly memoryLimit?: string;
}

/** The in-process engine: brewline's own StreamingQuery over a DuckDB lakehouse. */
export class EmbeddedEngine implements PipelineEngine {
  readonly kind = 'embedded' as const;
  readonly description: string;
  readonly lakehouse: DuckDBLakehouse;
  readonly query: StreamingQuery;

  constructor(options: EmbeddedEngineOptions) {
    this.lakehouse = new DuckDBLakehouse({
      path: options.lakehousePath,
      ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
    });
    this.description = this.lakehouse.description;
    this.query = new StreamingQuery({
      ...options.settings,
      source: options.source,
      lakehouse: this.lakehouse,
      checkpointDir: options.checkpointDir,
      catalog: options.catalog,
      trigger: options.trigger,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    return this.query.subscribe(listener);
  }

  getSnapshot(): EngineSnapshot {
    return this.query.getSnapshot();
  }

  open(): Promise<void> {
    return this.lakehouse.open();
  }

  run(): Promise<void> {
    return this.query.run();
  }

  stop(): void {
    this.query.stop();
  }

  reader(): Promise<LakehouseReader> {
    return this.lakehouse.reader();
  }

  /** Closes the lakehouse, and with it every reader it handed out. */
  close(): Promise<void> {
    return this.lakehouse.close();
  }
}
