/**
 * The ledger: the simulator's ground truth of what it sent (DOMAIN.md). `brewline verify` compares a
 * lakehouse against it. Money is 2-decimal strings, times are ISO-8601 UTC; arrays are sorted (by window
 * start, then branch / item id) so the same seed and config give a byte-identical file.
 */
export const FAULT_KINDS = ['late', 'very_late', 'duplicate', 'malformed', 'invalid', 'oversize'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export const LEDGER_VERSION = 1;

export interface LedgerFault {
  /** How many messages of this kind were injected (and sent, except `oversize`, which the producer rejects). */
  count: number;
  /**
   * The order ids affected, in emission order. For `duplicate`, the id of the order sent twice; for
   * `invalid`, the id the broken event carried (if any); empty for `malformed` (no parseable id).
   */
  order_ids: string[];
}

export interface LedgerBranchWindow {
  window_start: string;
  window_end: string;
  branch: string;
  revenue: string;
  orders: number;
  items: number;
}

export interface LedgerProductWindow {
  window_start: string;
  window_end: string;
  item_id: string;
  item_name: string;
  category: string;
  quantity: number;
  revenue: string;
  orders: number;
}

export interface LedgerHourlyWindow {
  window_start: string;
  window_end: string;
  revenue: string;
  orders: number;
  items: number;
  avg_order_value: string;
}

export interface Ledger {
  ledger_version: typeof LEDGER_VERSION;
  generator: 'brewline';
  /** The resolved simulator config the run used (everything that determines the events), seed included. */
  config: Record<string, unknown>;
  seed: number;
  /** The gold window the expected rows were computed with. */
  window: { duration_ms: number; start_offset_ms: number };
  /** Whether the run was interrupted (Ctrl+C): the ledger then covers exactly what was sent. */
  complete: boolean;
  messages: {
    /** Messages handed to the sink and acknowledged: valid orders, duplicates, late ones, malformed and invalid. */
    sent: number;
    /** Messages the producer refused (oversize), never sent. */
    rejected: number;
  };
  totals: {
    /** Distinct valid orders: what silver must hold. */
    orders: number;
    /** Their order lines: silver.order_items row count. */
    lines: number;
    /** Units sold. */
    items: number;
    revenue: string;
    first_event_time: string | null;
    last_event_time: string | null;
  };
  faults: Record<FaultKind, LedgerFault>;
  gold: {
    branch_revenue: LedgerBranchWindow[];
    product_popularity: LedgerProductWindow[];
    hourly_sales: LedgerHourlyWindow[];
  };
}
