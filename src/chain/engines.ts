import { resolve } from 'node:path';
import { createSource } from '../backends/sources.js';
import type { LagProbe, Source } from '../backends/types.js';
import { resolveKafkaConnection } from '../config/kafka-config.js';
import { querySettings } from '../config/pipeline-config.js';
import type { BrewlineConfig } from '../config/schema.js';
import type { Catalog } from '../domain/catalog.js';
import { ConfigError } from '../errors.js';
import type { Trigger } from '../pipeline/engine.js';
import { EmbeddedEngine } from './embedded-engine.js';
import { ENGINE_KINDS, type EngineKind, type PipelineEngine } from './pipeline-engine.js';
import { SparkEngine, type SparkSource } from './spark-engine.js';

/** The embedded engine's default lakehouse and checkpoint (config defaults), which Spark replaces with its own. */
const EMBEDDED_LAKEHOUSE = '.brewline/lakehouse.duckdb';
const EMBEDDED_CHECKPOINT = '.brewline/checkpoint';
/** Where `--engine spark` writes its Delta tables unless `--lakehouse` says otherwise. */
export const SPARK_LAKEHOUSE = '.brewline/spark-lakehouse';

/** Reads `--engine` (or BREWLINE_ENGINE): embedded (default), spark or databricks. */
export function engineKind(value: string | undefined = process.env['BREWLINE_ENGINE']): EngineKind {
  const kind = value ?? 'embedded';
  if (!(ENGINE_KINDS as readonly string[]).includes(kind)) {
    throw new ConfigError(`--engine: expected ${ENGINE_KINDS.join(', ')}, got ${JSON.stringify(value)}`, {
      hint: 'embedded runs in this process on DuckDB; spark starts the PySpark job locally (Java 17+, Python 3.10+)',
    });
  }
  return kind as EngineKind;
}

export interface EngineChoice {
  readonly engine: PipelineEngine;
  /** Fresh latest offsets of what the engine reads (lag, drain); absent when brewline cannot read them. */
  readonly probe: LagProbe | undefined;
  /** Printable: where the engine reads. */
  readonly from: string;
  /** The lakehouse it writes (a DuckDB file or a Delta folder). */
  readonly lakehouse: string;
}

export interface EngineRequest {
  readonly kind: EngineKind;
  readonly config: BrewlineConfig;
  readonly catalog: Catalog;
  readonly trigger: Trigger;
  /** Overrides of the config's query settings (e.g. demo's startingOffsets). */
  readonly settings?: Partial<ReturnType<typeof querySettings>>;
  /** Overrides of the config's lakehouse/checkpoint paths (demo's own). */
  readonly lakehouse?: string;
  readonly checkpoint?: string;
  /** A source already built by the caller (demo's in-process bus); else one from `config.source`. */
  readonly source?: Source;
}

/**
 * Builds the engine `--engine` chose, with what it reads and writes: one place where a new engine plugs in
 * (PLAN interface 5). The embedded engine reads a brewline Source in process; Spark reads Kafka or files
 * itself, and brewline keeps a Kafka probe beside it for lag.
 */
export async function createEngine(request: EngineRequest): Promise<EngineChoice> {
  const { kind, config } = request;
  const p = config.pipeline;
  const settings = { ...querySettings(p), ...request.settings };
  if (kind === 'embedded') {
    const source = request.source ?? (await createSource(config.source));
    const lakehouse = request.lakehouse ?? p.lakehouse;
    return {
      engine: new EmbeddedEngine({
        source,
        lakehousePath: lakehouse,
        checkpointDir: resolve(request.checkpoint ?? p.checkpoint),
        catalog: request.catalog,
        trigger: request.trigger,
        settings,
        ...(p.memoryLimit === undefined ? {} : { memoryLimit: p.memoryLimit }),
      }),
      probe: source,
      from: source.description,
      lakehouse,
    };
  }
  if (kind === 'spark') {
    const lakehouse =
      request.lakehouse ?? (p.lakehouse === EMBEDDED_LAKEHOUSE ? SPARK_LAKEHOUSE : p.lakehouse);
    if (lakehouse.endsWith('.duckdb')) {
      throw new ConfigError(
        `--engine spark writes Delta tables into a folder, not the DuckDB file ${lakehouse}`,
        {
          hint: `pass --lakehouse DIR (default ${SPARK_LAKEHOUSE})`,
        },
      );
    }
    const checkpoint =
      request.checkpoint ?? (p.checkpoint === EMBEDDED_CHECKPOINT ? undefined : p.checkpoint);
    let source: SparkSource;
    let probe: LagProbe | undefined;
    const s = config.source;
    if (s.kind === 'kafka') {
      const connection = resolveKafkaConnection(s);
      if (connection.sasl || connection.tls) {
        throw new ConfigError('--engine spark reads a plain local Kafka broker (no TLS/SASL) here', {
          hint: 'Event Hubs and secured clusters: --engine databricks, or run the PySpark job yourself',
        });
      }
      source = { kind: 'kafka', brokers: connection.brokers, topic: connection.topic };
      const kafka = request.source ?? (await createSource(s));
      await kafka.open();
      probe = kafka;
    } else if (s.kind === 'file') {
      source = { kind: 'file', path: s.path };
    } else {
      throw new ConfigError(`--engine spark reads --source kafka or file:PATH, not ${s.kind}`, {
        hint:
          s.kind === 'bus'
            ? 'the in-process bus lives inside brewline; use Kafka (see `brewline demo --engine spark`)'
            : 'use --source kafka',
      });
    }
    const engine = new SparkEngine({
      source,
      lakehouseDir: lakehouse,
      ...(checkpoint === undefined ? {} : { checkpointDir: checkpoint }),
      trigger: request.trigger,
      settings,
    });
    const from =
      source.kind === 'kafka'
        ? `Kafka ${source.topic} @ ${source.brokers.join(',')}`
        : `files ${resolve(source.path)}`;
    return { engine, probe, from, lakehouse };
  }
  throw new ConfigError(`--engine ${kind} is not available in this build`, {
    hint: 'use --engine embedded or spark',
  });
}
