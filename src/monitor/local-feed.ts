import type { LagProbe, LakehouseReader, PartitionOffsets } from '../backends/types.js';
import type { Clock } from '../domain/clock.js';
import type { EngineSnapshot, EngineStore } from '../pipeline/progress-types.js';
import type { SimulatorStore } from '../simulator/snapshot-types.js';
import type { GoldSnapshot, PartitionReading, StatusFeed, StreamReading } from './feed-types.js';
import { queryGold } from './gold-queries.js';
import { HISTORY_LENGTH } from './monitor-snapshot.js';

export interface LocalFeedOptions {
  /** The running engine, when there is one in this process. */
  readonly engine?: EngineStore | undefined;
  /** The load generator (`demo` only). */
  readonly simulator?: SimulatorStore | undefined;
  /** Reads fresh latest offsets of the engine's source (the source itself is a probe). */
  readonly probe?: LagProbe | undefined;
  /** A reader on the lakehouse the engine writes (same DuckDB instance: a second process cannot open it). */
  readonly lakehouse?: LakehouseReader | undefined;
  /** Printable names of the source and sink, for the header. */
  readonly source: string;
  readonly sink: string;
  readonly clock: Clock;
}

/** Keeps what crosses the wire bounded: the history the views use, not the engine's whole buffer. */
export function trimEngineSnapshot(snapshot: EngineSnapshot): EngineSnapshot {
  return snapshot.recentProgress.length <= HISTORY_LENGTH
    ? snapshot
    : { ...snapshot, recentProgress: snapshot.recentProgress.slice(-HISTORY_LENGTH) };
}

/**
 * Per-partition positions against the engine's committed offsets, read fresh from the source: lag is never
 * computed from stale commits (SEMANTICS.md).
 */
export async function readPartitions(
  probe: LagProbe,
  committed: PartitionOffsets,
): Promise<PartitionReading[]> {
  const partitions: PartitionReading[] = [];
  for (const position of await probe.positions()) {
    const done = committed[String(position.partition)] ?? 0;
    const oldestUnprocessedMs =
      done < position.latest && probe.timestampAt
        ? await probe.timestampAt(position.partition, Math.max(done, position.earliest))
        : undefined;
    partitions.push({
      partition: position.partition,
      latest: position.latest,
      committed: done,
      oldestUnprocessedMs,
    });
  }
  return partitions;
}

/**
 * The monitor's feed when the pipeline runs in this process (`demo`, and `pipeline run` serving its status
 * endpoint). Lag is computed at read time against fresh latest offsets, never from stale commits.
 */
/** File sources count byte positions, every other source records. */
function offsetUnitOf(probe: LagProbe | undefined): 'records' | 'bytes' {
  const capabilities = (probe as { capabilities?: { denseOffsets?: boolean } } | undefined)?.capabilities;
  return capabilities?.denseOffsets === false ? 'bytes' : 'records';
}

export class LocalFeed implements StatusFeed {
  readonly description = 'in-process engine';
  private readonly options: LocalFeedOptions;

  constructor(options: LocalFeedOptions) {
    this.options = options;
  }

  async readStream(): Promise<StreamReading> {
    const { engine, simulator, probe, clock } = this.options;
    const engineSnapshot = engine?.getSnapshot();
    const committed = engineSnapshot?.committedOffsets ?? {};
    const partitions = probe ? await readPartitions(probe, committed) : [];
    return {
      atMs: clock.now(),
      source: this.options.source,
      sink: this.options.sink,
      engine: engineSnapshot ? trimEngineSnapshot(engineSnapshot) : undefined,
      simulator: simulator?.getSnapshot(),
      partitions,
      offsetUnit: offsetUnitOf(probe),
    };
  }

  async readGold(branch: string | null): Promise<GoldSnapshot> {
    const { lakehouse, clock } = this.options;
    if (!lakehouse) {
      return {
        atMs: clock.now(),
        branch,
        branches: [],
        totals: { revenue: 0, orders: 0, items: 0 },
        chainRevenue: 0,
        products: [],
        hourly: [],
        branchNames: [],
      };
    }
    return queryGold(lakehouse, branch, clock.now());
  }

  async close(): Promise<void> {}
}
