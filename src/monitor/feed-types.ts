import type { Paisa } from '../domain/money.js';
import type { EngineSnapshot } from '../pipeline/progress-types.js';
import type { SimulatorSnapshot } from '../simulator/snapshot-types.js';

/**
 * What the monitor model reads, each refresh, from wherever the pipeline runs: in this process (`demo`,
 * `pipeline run`) or behind the status endpoint (`monitor --url`). Everything here is plain JSON, so the
 * status server can ship it as is and the remote monitor sees exactly what a local one would.
 */

/** One partition of the source, read at `StreamReading.atMs`. */
export interface PartitionReading {
  readonly partition: number;
  /** Next offset to be written, read fresh from the source (never from a stale commit). */
  readonly latest: number;
  /** End offset the engine has committed for this partition (0 before its first batch). */
  readonly committed: number;
  /** Broker/append time of the oldest unprocessed record, when there is lag and the source can tell. */
  readonly oldestUnprocessedMs: number | undefined;
}

/** Engine, source and (in `demo`) load-generator state at one moment. */
export interface StreamReading {
  /** Wall-clock ms of the reading. */
  readonly atMs: number;
  /** Where orders come from, safe to print. */
  readonly source: string;
  /** Where the pipeline writes (the lakehouse), safe to print. */
  readonly sink: string;
  readonly engine: EngineSnapshot | undefined;
  readonly simulator: SimulatorSnapshot | undefined;
  readonly partitions: readonly PartitionReading[];
  /** What offsets count: records (Kafka, Event Hubs, the bus) or bytes (file sources). @default 'records' */
  readonly offsetUnit?: 'records' | 'bytes';
}

/** Revenue of one branch over every window in the lakehouse (gold.branch_revenue summed). */
export interface BranchRevenue {
  readonly branch: string;
  readonly revenue: Paisa;
  readonly orders: number;
  readonly items: number;
}

/** Sales of one menu item over every window (gold.product_popularity, or silver when a branch is chosen). */
export interface ProductSales {
  readonly itemId: string;
  readonly itemName: string;
  readonly category: string;
  readonly quantity: number;
  readonly revenue: Paisa;
  readonly orders: number;
}

/** One hourly window (gold.hourly_sales, or gold.branch_revenue for one branch). */
export interface HourlySales {
  /** Window start, epoch ms (UTC). */
  readonly windowStartMs: number;
  readonly revenue: Paisa;
  readonly orders: number;
  readonly items: number;
}

/** What the gold panels show; every amount is exact integer paisa. */
export interface GoldSnapshot {
  readonly atMs: number;
  /** The branch filter the numbers are for; null = the whole chain. */
  readonly branch: string | null;
  /** Every branch with sales, by revenue (highest first; ties by name). Filtered to one branch when set. */
  readonly branches: readonly BranchRevenue[];
  /** Sums over `branches` (the chosen branch, or the whole chain). */
  readonly totals: { readonly revenue: Paisa; readonly orders: number; readonly items: number };
  /** Revenue of the whole chain, for a chosen branch's share. */
  readonly chainRevenue: Paisa;
  /** Menu items by quantity sold (highest first; ties by revenue, then id). */
  readonly products: readonly ProductSales[];
  /** The most recent windows, oldest first (at most `GOLD_WINDOWS`). */
  readonly hourly: readonly HourlySales[];
  /** Names of every branch with sales in gold, alphabetically: the choices of the branch filter. */
  readonly branchNames: readonly string[];
}

/** How many hourly windows the trend chart covers. */
export const GOLD_WINDOWS = 24;

/** A place the monitor model reads from. Implementations: the local feed and the status-endpoint client. */
export interface StatusFeed {
  /** Safe to print: what this feed reads (e.g. `http://127.0.0.1:9464`, `in-process engine`). */
  readonly description: string;
  readStream(): Promise<StreamReading>;
  readGold(branch: string | null): Promise<GoldSnapshot>;
  close(): Promise<void>;
}
