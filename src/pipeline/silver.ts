import type { SourceRecord } from '../backends/types.js';
import type { Catalog } from '../domain/catalog.js';
import {
  validateOrderBytes,
  validateOrderText,
  type ValidLine,
  type ValidOrder,
} from '../domain/order-event.js';

/** A valid order with the position of the message it came from: silver's unit before it is exploded. */
export interface SilverOrder extends ValidOrder {
  readonly sourcePartition: number;
  readonly sourceOffset: number;
}

/** One `silver.order_items` row (money in paisa; the writer casts to DECIMAL). */
export interface SilverLine {
  orderId: string;
  eventTimeMs: number;
  /** Exact event time (epoch µs), as the event_time column stores it. */
  eventTimeMicros: number;
  branch: string;
  terminalId: string | null;
  payment: string;
  lineNo: number;
  itemId: string;
  itemName: string;
  category: string;
  unitPricePaisa: number;
  quantity: number;
  lineAmountPaisa: number;
  orderTotalPaisa: number;
  sourcePartition: number;
  sourceOffset: number;
}

/** One `silver.quarantine` row: the raw value and the contract rule it broke (`reason` starts with the rule). */
export interface QuarantineRow {
  readonly sourcePartition: number;
  readonly sourceOffset: number;
  /** The message's exact bytes. */
  readonly value: Uint8Array;
  readonly reason: string;
}

export interface RefinedBatch {
  /** Valid orders, first occurrence of each order_id in (partition, offset) order. */
  readonly orders: readonly SilverOrder[];
  readonly quarantine: readonly QuarantineRow[];
  /** Valid messages dropped because an earlier message of the same batch had the same order_id. */
  readonly duplicatesInBatch: number;
}

function byPosition(a: SourceRecord, b: SourceRecord): number {
  return a.partition - b.partition || a.offset - b.offset;
}

/**
 * Parses and validates every message of a batch with the event contract, quarantining the bad ones with
 * the validator's reason, and keeps the first occurrence (lowest partition, then offset) of each order_id.
 * Pure: the same records always give the same result.
 */
export function refineBatch(records: readonly SourceRecord[], catalog: Catalog): RefinedBatch {
  const sorted = isSorted(records) ? records : [...records].sort(byPosition);
  const orders: SilverOrder[] = [];
  const quarantine: QuarantineRow[] = [];
  const seen = new Set<string>();
  let duplicatesInBatch = 0;
  for (const record of sorted) {
    // A source's text is the exact decoding of the bytes; without it the bytes are checked and decoded here.
    const result =
      record.text !== undefined
        ? validateOrderText(record.text, catalog)
        : validateOrderBytes(record.value, catalog);
    if (!result.ok) {
      quarantine.push({
        sourcePartition: record.partition,
        sourceOffset: record.offset,
        value: record.value,
        reason: result.reason,
      });
      continue;
    }
    if (seen.has(result.order.orderId)) {
      duplicatesInBatch++;
      continue;
    }
    const o = result.order;
    seen.add(o.orderId);
    // An explicit literal rather than a spread: one object shape, and several times cheaper on the hot path.
    orders.push({
      orderId: o.orderId,
      eventTimeMs: o.eventTimeMs,
      eventTimeMicros: o.eventTimeMicros,
      schemaVersion: o.schemaVersion,
      branch: o.branch,
      terminalId: o.terminalId,
      payment: o.payment,
      totalPaisa: o.totalPaisa,
      lines: o.lines,
      sourcePartition: record.partition,
      sourceOffset: record.offset,
    });
  }
  return { orders, quarantine, duplicatesInBatch };
}

function isSorted(records: readonly SourceRecord[]): boolean {
  for (let i = 1; i < records.length; i++) {
    if (byPosition(records[i - 1]!, records[i]!) > 0) return false;
  }
  return true;
}

/**
 * Moves the orders named in `poison` (order id → reason) from a refined batch to its quarantine, with the
 * bytes of the message each came from: values the lakehouse cannot store, found after validation.
 */
export function quarantineOrders(
  batch: RefinedBatch,
  records: readonly SourceRecord[],
  poison: ReadonlyMap<string, string>,
): RefinedBatch {
  const orders: SilverOrder[] = [];
  const quarantine = [...batch.quarantine];
  for (const order of batch.orders) {
    const reason = poison.get(order.orderId);
    if (reason === undefined) {
      orders.push(order);
      continue;
    }
    const record = records.find(
      (r) => r.partition === order.sourcePartition && r.offset === order.sourceOffset,
    );
    quarantine.push({
      sourcePartition: order.sourcePartition,
      sourceOffset: order.sourceOffset,
      value: record?.value ?? new Uint8Array(0),
      reason,
    });
  }
  quarantine.sort((a, b) => a.sourcePartition - b.sourcePartition || a.sourceOffset - b.sourceOffset);
  return { orders, quarantine, duplicatesInBatch: batch.duplicatesInBatch };
}

/**
 * Insert-if-absent across all history: drops orders whose id silver already holds, however late they
 * come. Never a watermark decision (SEMANTICS.md "Deduplication").
 */
export function dropKnownOrders(
  orders: readonly SilverOrder[],
  known: ReadonlySet<string>,
): { orders: SilverOrder[]; duplicates: number } {
  if (known.size === 0) return { orders: [...orders], duplicates: 0 };
  const kept = orders.filter((o) => !known.has(o.orderId));
  return { orders: kept, duplicates: orders.length - kept.length };
}

/** Explodes an order to its `silver.order_items` rows, one per line. */
export function explodeOrder(order: SilverOrder): SilverLine[] {
  return order.lines.map((line: ValidLine) => ({
    orderId: order.orderId,
    eventTimeMs: order.eventTimeMs,
    eventTimeMicros: order.eventTimeMicros,
    branch: order.branch,
    terminalId: order.terminalId,
    payment: order.payment,
    lineNo: line.lineNo,
    itemId: line.itemId,
    itemName: line.itemName,
    category: line.category,
    unitPricePaisa: line.pricePaisa,
    quantity: line.quantity,
    lineAmountPaisa: line.amountPaisa,
    orderTotalPaisa: order.totalPaisa,
    sourcePartition: order.sourcePartition,
    sourceOffset: order.sourceOffset,
  }));
}
