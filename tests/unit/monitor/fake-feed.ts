import type { EngineSnapshot, BatchProgress } from '../../../src/pipeline/progress-types.js';
import type {
  GoldSnapshot,
  StatusFeed,
  StreamReading,
  PartitionReading,
} from '../../../src/monitor/feed-types.js';

/** A status feed whose readings the test sets directly. */
export class FakeFeed implements StatusFeed {
  readonly description = 'fake feed';
  stream: StreamReading;
  gold: GoldSnapshot;
  streamReads = 0;
  goldReads: (string | null)[] = [];
  failNext: Error | undefined;

  constructor(stream: StreamReading, gold: GoldSnapshot) {
    this.stream = stream;
    this.gold = gold;
  }

  async readStream(): Promise<StreamReading> {
    this.streamReads++;
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    return this.stream;
  }

  async readGold(branch: string | null): Promise<GoldSnapshot> {
    this.goldReads.push(branch);
    return { ...this.gold, branch };
  }

  async close(): Promise<void> {}
}

export function progress(batchId: number, overrides: Partial<BatchProgress> = {}): BatchProgress {
  return {
    queryName: 'orders',
    queryId: 'q-1',
    runId: 'r-1',
    batchId,
    timestamp: new Date(Date.UTC(2026, 0, 1, 2, 0, batchId)).toISOString(),
    numInputRows: 100,
    inputRowsPerSecond: 100 + batchId,
    processedRowsPerSecond: 5000 + batchId,
    durationMs: { triggerExecution: 40 + batchId },
    eventTime: { max: '2026-01-01T03:00:00.000Z', watermark: '2026-01-01T02:50:00.000Z' },
    stateOperators: [
      {
        operatorName: 'gold.branch_revenue',
        numRowsTotal: 65,
        numRowsUpdated: 3,
        numRowsRemoved: 0,
        numRowsDroppedByWatermark: 0,
        memoryUsedBytes: 1000,
      },
      {
        operatorName: 'gold.product_popularity',
        numRowsTotal: 59,
        numRowsUpdated: 3,
        numRowsRemoved: 0,
        numRowsDroppedByWatermark: 0,
        memoryUsedBytes: 1000,
      },
    ],
    sources: [],
    sink: { description: 'duckdb', numOutputRows: 10 },
    silver: { rows: 300, orders: 100, duplicates: 0, quarantined: 0 },
    ...overrides,
  };
}

export function engineSnapshot(overrides: Partial<EngineSnapshot> = {}): EngineSnapshot {
  const recent = [progress(1), progress(2), progress(3)];
  return {
    status: 'running',
    queryName: 'orders',
    queryId: 'q-1',
    lastProgress: recent[2],
    recentProgress: recent,
    watermarkMs: Date.UTC(2026, 0, 1, 2, 50),
    committedOffsets: { '0': 100, '1': 50 },
    totals: { batches: 3, inputRows: 300, quarantined: 2, droppedByWatermark: 1 },
    lastEventAtMs: 0,
    error: undefined,
    ...overrides,
  };
}

export function streamReading(
  atMs: number,
  partitions: readonly PartitionReading[],
  engine: EngineSnapshot = engineSnapshot({ lastEventAtMs: atMs }),
): StreamReading {
  return { atMs, source: 'bus "orders"', sink: 'lakehouse.duckdb', engine, simulator: undefined, partitions };
}
