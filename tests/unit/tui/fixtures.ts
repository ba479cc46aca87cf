import { DEFAULT_THRESHOLDS } from '../../../src/monitor/health-verdict.js';
import type { GoldSnapshot } from '../../../src/monitor/feed-types.js';
import type { MonitorSnapshot, MonitorStore, StreamHealth } from '../../../src/monitor/monitor-snapshot.js';

/** Fixed dashboard data: a busy demo at 09:15 NPT with a lagging partition. Amounts are exact paisa. */
export const NOW = Date.UTC(2026, 10, 26, 3, 30, 0); // 09:15 NPT
const HOUR = 3_600_000;
const FIRST_WINDOW = Date.UTC(2026, 10, 26, 1, 15, 0); // 07:00 NPT

export const BRANCHES = [
  { branch: 'Jhamsikhel', revenue: 12_345_678, orders: 4_321, items: 9_876 },
  { branch: 'Durbar Marg', revenue: 9_876_543, orders: 3_210, items: 7_654 },
  { branch: 'Lazimpat', revenue: 7_654_321, orders: 2_345, items: 5_432 },
  { branch: 'Thamel', revenue: 5_432_100, orders: 1_987, items: 4_321 },
  { branch: 'Pokhara Lakeside', revenue: 3_210_005, orders: 1_234, items: 2_345 },
  { branch: 'Bhaktapur', revenue: 1_000_001, orders: 456, items: 789 },
];

const chain = BRANCHES.reduce((s, b) => s + b.revenue, 0);

export const GOLD: GoldSnapshot = {
  atMs: NOW,
  branch: null,
  branches: BRANCHES,
  totals: {
    revenue: chain,
    orders: BRANCHES.reduce((s, b) => s + b.orders, 0),
    items: BRANCHES.reduce((s, b) => s + b.items, 0),
  },
  chainRevenue: chain,
  products: [
    {
      itemId: 'HOT-1',
      itemName: 'Americano',
      category: 'hot_beverages',
      quantity: 2_345,
      revenue: 43_382_500,
      orders: 1_999,
    },
    {
      itemId: 'HOT-4',
      itemName: 'Cafe Latte',
      category: 'hot_beverages',
      quantity: 1_987,
      revenue: 45_701_000,
      orders: 1_700,
    },
    {
      itemId: 'BRE-58',
      itemName: 'Waffle',
      category: 'breakfast',
      quantity: 1_234,
      revenue: 95_635_000,
      orders: 1_100,
    },
    {
      itemId: 'COL-12',
      itemName: 'Iced Mocha Frappe',
      category: 'cold_beverages',
      quantity: 987,
      revenue: 34_545_000,
      orders: 900,
    },
    {
      itemId: 'SAN-30',
      itemName: 'Chicken Club Sandwich',
      category: 'sandwiches',
      quantity: 654,
      revenue: 42_510_000,
      orders: 600,
    },
    {
      itemId: 'BAK-40',
      itemName: 'Blueberry Muffin',
      category: 'bakery',
      quantity: 321,
      revenue: 8_025_000,
      orders: 300,
    },
  ],
  hourly: [
    { windowStartMs: FIRST_WINDOW, revenue: 15_000_050, orders: 5_100, items: 11_000 },
    { windowStartMs: FIRST_WINDOW + HOUR, revenue: 22_518_608, orders: 7_453, items: 15_000 },
    { windowStartMs: FIRST_WINDOW + 2 * HOUR, revenue: 1_000_000, orders: 296, items: 700 },
  ],
  branchNames: BRANCHES.map((b) => b.branch).sort(),
};

export const STREAM: StreamHealth = {
  engineStatus: 'running',
  queryName: 'brewline_gold',
  verdict: 'WARN',
  reason: 'partition 2: lag rising 120 → 4,500',
  partitions: [
    {
      partition: 0,
      latest: 10_000,
      committed: 10_000,
      lag: 0,
      lagSeconds: 0,
      rising: false,
      verdict: 'OK',
      reason: '',
      lagHistory: [0, 0, 0],
    },
    {
      partition: 1,
      latest: 9_000,
      committed: 8_990,
      lag: 10,
      lagSeconds: 0.2,
      rising: false,
      verdict: 'OK',
      reason: '',
      lagHistory: [0, 0, 0],
    },
    {
      partition: 2,
      latest: 12_000,
      committed: 7_500,
      lag: 4_500,
      lagSeconds: 3.4,
      rising: true,
      verdict: 'WARN',
      reason: 'lag rising 120 → 4,500',
      lagHistory: [120, 2_000, 4_500],
    },
    {
      partition: 3,
      latest: 8_000,
      committed: 8_000,
      lag: 0,
      lagSeconds: 0,
      rising: false,
      verdict: 'OK',
      reason: '',
      lagHistory: [0, 0, 0],
    },
  ],
  totalLag: 4_510,
  lagMs: 3400,
  offsetUnit: 'records',
  backlogRecords: 4_510,
  lagRising: true,
  lastBatchId: 321,
  batchDurationMs: 45,
  inputRate: 812,
  processedRate: 25_000,
  inputRateHistory: [500, 600, 700, 812, 790, 805, 812],
  processedRateHistory: [20_000, 22_000, 25_000, 24_000, 25_000, 26_000, 25_000],
  recentBatches: [
    { batchId: 320, durationMs: 52, inputRows: 120, timestamp: '2026-11-26T03:29:58.000Z' },
    { batchId: 321, durationMs: 45, inputRows: 130, timestamp: '2026-11-26T03:29:59.000Z' },
  ],
  watermarkMs: NOW - 2 * HOUR,
  watermarkGapMs: 2 * HOUR,
  droppedByWatermark: 7,
  quarantined: 12,
  stateRows: 1_234,
  batches: 321,
  inputRows: 39_000,
  sinceProgressMs: 400,
  error: undefined,
};

export const SNAPSHOT: MonitorSnapshot = {
  mode: 'demo',
  source: 'in-process bus "orders" (4 partitions)',
  sink: '.brewline/demo.duckdb',
  feed: 'in-process engine',
  nowMs: NOW,
  updatedAtMs: NOW - 1000,
  refreshMs: 1000,
  paused: false,
  branch: null,
  clockMs: NOW,
  clockKind: 'simulated',
  liveness: 'live',
  thresholds: DEFAULT_THRESHOLDS,
  stream: STREAM,
  load: {
    status: 'running',
    targetRate: 800,
    actualRate: 790,
    actualRateHistory: [700, 780, 800, 790],
    generated: 39_100,
    acked: 39_000,
    rejected: 3,
    errors: 2,
    throttled: 0,
    orders: 38_000,
    inFlight: 5,
    ackP50Ms: 0.2,
    ackP99Ms: 1.3,
    faults: { late: 0, very_late: 3, duplicate: 6, malformed: 9, invalid: 12, oversize: 15 },
    faultsTotal: 45,
    lastError: undefined,
  },
  gold: GOLD,
  error: undefined,
  readings: 10,
};

/** A monitor store the test pushes snapshots into, as a live feed would. */
export class PushStore implements MonitorStore {
  private listeners = new Set<() => void>();
  constructor(private snapshot: MonitorSnapshot = SNAPSHOT) {}
  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };
  getSnapshot = () => this.snapshot;
  /** Lays `patch` over the current snapshot and tells every subscriber. */
  push(patch: Partial<MonitorSnapshot>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }
}
