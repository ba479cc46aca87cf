import { describe, expect, it } from 'vitest';
import {
  nextOffsetAfter,
  recordsInRange,
  type FetchedBatch,
} from '../../../src/backends/kafka/record-batches.js';

const enc = new TextEncoder();

function batch(firstOffset: number, count: number, attributes = 0, firstTimestamp = 1_000n): FetchedBatch {
  return {
    firstOffset: BigInt(firstOffset),
    attributes,
    firstTimestamp,
    maxTimestamp: 9_999n,
    records: Array.from({ length: count }, (_, i) => ({
      offsetDelta: i,
      timestampDelta: BigInt(i * 10),
      key: enc.encode(`k${firstOffset + i}`),
      value: enc.encode(`v${firstOffset + i}`),
    })),
  };
}

describe('record batches → source records', () => {
  it('cuts whole batches down to the half-open range, in offset order', () => {
    const rows = recordsInRange('orders', 2, [batch(0, 5), batch(5, 5)], 3, 7);
    expect(rows.map((r) => r.offset)).toEqual([3, 4, 5, 6]);
    expect({ ...rows[0], value: Buffer.from(rows[0]!.value).toString('utf8') }).toEqual({
      topic: 'orders',
      partition: 2,
      offset: 3,
      key: 'k3',
      value: 'v3',
      timestampMs: 1030,
      timestampType: 'CreateTime',
    });
  });

  it('uses the batch time for LogAppendTime topics and skips control batches', () => {
    const logAppend = recordsInRange('t', 0, [batch(0, 2, 0b1000)], 0, 10);
    expect(logAppend.map((r) => [r.timestampType, r.timestampMs])).toEqual([
      ['LogAppendTime', 9999],
      ['LogAppendTime', 9999],
    ]);
    expect(recordsInRange('t', 0, [batch(0, 1, 0b10_0000)], 0, 10)).toEqual([]);
  });

  it('keeps invalid UTF-8 as the exact bytes (bronze is raw; silver quarantines it) and null keys as null', () => {
    const b: FetchedBatch = {
      ...batch(0, 0),
      records: [{ offsetDelta: 0, timestampDelta: 0n, key: null, value: new Uint8Array([0x61, 0xff]) }],
    };
    const row = recordsInRange('t', 0, [b], 0, 1)[0]!;
    expect(row.key).toBeNull();
    expect([...row.value]).toEqual([0x61, 0xff]);
    expect(row.text).toBeUndefined();
  });

  it('continues after the last record fetched', () => {
    expect(nextOffsetAfter([batch(0, 5), batch(5, 3)])).toBe(8);
    expect(nextOffsetAfter([])).toBeUndefined();
  });
});
