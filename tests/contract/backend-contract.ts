import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../src/backends/partitioner.js';
import type { OutgoingMessage, SendReceipt, Sink, Source, SourceRecord } from '../../src/backends/types.js';

/**
 * THE backend conformance suite (STYLE.md 2): every backend that carries orders between the simulator and
 * the pipeline — a Sink and a Source over one partitioned log — must behave the same under these tests.
 * Call `testBackendContract(name, factory)` from a `*.contract.test.ts` file per backend.
 */
export interface BackendHarness {
  readonly sink: Sink;
  readonly source: Source;
  /** Partitions of the fresh topic / bus the harness created. */
  readonly partitions: number;
  /**
   * Makes the oldest records of `partition` unavailable, as retention would, keeping at least the last one.
   * The partition holds records when called.
   */
  expireOldest(partition: number): Promise<void>;
  /** Stops everything the harness started. */
  close(): Promise<void>;
}

/** Creates a fresh, empty topic/bus with `partitions` partitions, its sink and source opened. */
export type BackendFactory = (partitions: number) => Promise<BackendHarness>;

const BRANCHES = ['Thamel', 'Jhamsikhel', 'Durbarmarg', 'Lakeside Pokhara', 'Boudha', 'Patan Durbar Square'];

function order(i: number, key = BRANCHES[i % BRANCHES.length]!): OutgoingMessage {
  return { key, value: JSON.stringify({ seq: i, branch: key }), timestampMs: 1_767_000_000_000 + i };
}

/** Sends `messages` in batches keeping at most `maxInFlight` sends outstanding (the Sink contract's caller). */
async function sendAll(
  sink: Sink,
  messages: readonly OutgoingMessage[],
  batchSize: number,
): Promise<SendReceipt[]> {
  const receipts: SendReceipt[] = [];
  const window: Promise<void>[] = [];
  for (let i = 0; i < messages.length; i += batchSize) {
    window.push(sink.send(messages.slice(i, i + batchSize)).then((r) => void receipts.push(r)));
    if (window.length >= sink.capabilities.maxInFlight) await window.shift();
  }
  await Promise.all(window);
  await sink.flush();
  return receipts;
}

async function readEverything(source: Source): Promise<SourceRecord[]> {
  const positions = await source.positions();
  return source.read(positions.map((p) => ({ partition: p.partition, from: p.earliest, to: p.latest })));
}

export function testBackendContract(name: string, factory: BackendFactory): void {
  describe(`backend contract: ${name}`, () => {
    let h: BackendHarness;
    beforeEach(async () => {
      h = await factory(3);
    });
    afterEach(async () => {
      await h?.close();
    });

    it('declares usable capabilities and a stable source id', () => {
      expect(h.sink.capabilities.maxInFlight).toBeGreaterThanOrEqual(1);
      expect(h.sink.capabilities.preferredBatchSize).toBeGreaterThanOrEqual(1);
      expect(h.source.id).toMatch(/^[a-z]+:.+/);
      expect(h.sink.description).not.toMatch(/password|SharedAccessKey=/i);
    });

    it('starts empty, with one position per partition', async () => {
      const positions = await h.source.positions();
      expect(positions.map((p) => p.partition)).toEqual([0, 1, 2]);
      for (const p of positions) expect(p.latest - p.earliest).toBe(0);
    });

    it('acknowledges every message and keys each branch to the Kafka murmur2 partition', async () => {
      // Given 60 orders from six branches
      const messages = Array.from({ length: 60 }, (_, i) => order(i));
      // When they are sent in batches of 7
      const receipts = await sendAll(h.sink, messages, 7);
      // Then all are acknowledged, none rejected, with a measured latency
      expect(receipts.reduce((n, r) => n + r.acked, 0)).toBe(60);
      expect(receipts.flatMap((r) => r.rejections)).toEqual([]);
      for (const r of receipts) expect(r.latencyMs).toBeGreaterThanOrEqual(0);
      // And every record sits on the partition Kafka's default partitioner picks for its key
      const records = await readEverything(h.source);
      expect(records).toHaveLength(60);
      for (const r of records) {
        expect(r.partition).toBe(partitionForKey(r.key!, h.partitions));
        expect(JSON.parse(Buffer.from(r.value).toString('utf8')).branch).toBe(r.key);
      }
      const positions = await h.source.positions();
      expect(positions.reduce((n, p) => n + p.latest, 0)).toBe(60);
    });

    it('keeps per-partition order with the full backpressure window in use', async () => {
      const messages = Array.from({ length: 400 }, (_, i) => order(i));
      await sendAll(h.sink, messages, 10);
      const records = await readEverything(h.source);
      expect(records).toHaveLength(400);
      for (let p = 0; p < h.partitions; p++) {
        const seqs = records
          .filter((r) => r.partition === p)
          .map((r) => JSON.parse(Buffer.from(r.value).toString('utf8')).seq as number);
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
        const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
        expect(offsets).toEqual(offsets.map((_, i) => offsets[0]! + i)); // dense, ascending
      }
    });

    it('gives back the exact bytes sent, even when they are not valid UTF-8 (bronze keeps them)', async () => {
      // Given a message whose bytes are not UTF-8 (ED A0 80 encodes a lone surrogate) and a valid one
      const raw = Buffer.from('{"terminal_id":"T-\xed\xa0\x80"}', 'latin1');
      const text = '{"item_name":"Americanö ☕"}';
      await sendAll(
        h.sink,
        [
          { key: 'Thamel', value: raw },
          { key: 'Thamel', value: text },
        ],
        2,
      );
      const records = await readEverything(h.source);
      // Then the source returns them byte for byte, never with U+FFFD substitutes
      expect(records.map((r) => Buffer.from(r.value).toString('hex'))).toEqual([
        raw.toString('hex'),
        Buffer.from(text).toString('hex'),
      ]);
      for (const r of records)
        if (r.text !== undefined) expect(Buffer.from(r.text).equals(Buffer.from(r.value))).toBe(true);
    });

    it('reads exactly a half-open offset range, the same records every time', async () => {
      const messages = Array.from({ length: 30 }, (_, i) => order(i, 'Thamel'));
      await sendAll(h.sink, messages, 30);
      const partition = partitionForKey('Thamel', h.partitions);
      // When the range [10, 20) is read twice
      const first = await h.source.read([{ partition, from: 10, to: 20 }]);
      const again = await h.source.read([{ partition, from: 10, to: 20 }]);
      // Then exactly offsets 10..19 come back, in order, identical both times (a re-run batch sees the same data)
      expect(first.map((r) => r.offset)).toEqual([10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
      expect(first.map((r) => JSON.parse(Buffer.from(r.value).toString('utf8')).seq)).toEqual([
        10, 11, 12, 13, 14, 15, 16, 17, 18, 19,
      ]);
      expect(again).toEqual(first);
      // And an empty range reads nothing; a range past the end stops at what exists
      expect(await h.source.read([{ partition, from: 5, to: 5 }])).toEqual([]);
      const tail = await h.source.read([{ partition, from: 25, to: 1000 }]);
      expect(tail.map((r) => r.offset)).toEqual([25, 26, 27, 28, 29]);
    });

    it('fills the metadata bronze keeps: topic, partition, offset, key, timestamp and its type', async () => {
      const before = Date.now();
      await sendAll(h.sink, [order(1, 'Boudha')], 1);
      const after = Date.now();
      const [record] = await readEverything(h.source);
      expect(record).toBeDefined();
      expect(h.source.id.endsWith(record!.topic)).toBe(true);
      expect(record!.key).toBe('Boudha');
      expect(record!.offset).toBe(0);
      expect(['CreateTime', 'LogAppendTime', 'EnqueuedTime', 'IngestTime']).toContain(record!.timestampType);
      if (record!.timestampType === 'CreateTime') expect(record!.timestampMs).toBe(order(1).timestampMs);
      else {
        expect(record!.timestampMs).toBeGreaterThanOrEqual(before - 1000);
        expect(record!.timestampMs).toBeLessThanOrEqual(after + 1000);
      }
      expect(await h.source.timestampAt?.(record!.partition, 0)).toBe(record!.timestampMs);
      expect(await h.source.timestampAt?.(record!.partition, 5)).toBeUndefined();
    });

    it('honours an explicit partition over the key', async () => {
      const keyed = partitionForKey('Thamel', h.partitions);
      const target = (keyed + 1) % h.partitions;
      await sendAll(h.sink, [{ ...order(1, 'Thamel'), partition: target }], 1);
      const records = await readEverything(h.source);
      expect(records.map((r) => r.partition)).toEqual([target]);
    });

    it('rejects only the oversize message of a batch, before sending it', async () => {
      const limit = h.sink.capabilities.maxMessageBytes;
      expect(limit).toBeDefined();
      const big: OutgoingMessage = { key: 'Thamel', value: 'x'.repeat(limit! + 1) };
      const receipt = await h.sink.send([order(0), big, order(2)]);
      await h.sink.flush();
      expect(receipt.acked).toBe(2);
      expect(receipt.rejections).toHaveLength(1);
      expect(receipt.rejections[0]!.index).toBe(1);
      expect(receipt.rejections[0]!.reason).toMatch(/exceeds/);
      expect(await readEverything(h.source)).toHaveLength(2);
    });

    it('keeps malformed bytes exactly, never dropping the record nor substituting U+FFFD', async () => {
      const bytes = new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22]);
      await sendAll(h.sink, [{ key: 'Thamel', value: bytes }], 1);
      const records = await readEverything(h.source);
      expect(records).toHaveLength(1);
      expect([...records[0]!.value]).toEqual([...bytes]);
    });

    it('wakes a waiting reader when data arrives, and gives up after its timeout otherwise', async () => {
      expect(h.source.capabilities.canWait).toBe(true);
      await h.source.positions();
      const idleStart = performance.now();
      await h.source.waitForData!(300);
      expect(performance.now() - idleStart).toBeGreaterThanOrEqual(250);

      const waiting = h.source.waitForData!(20_000);
      const started = performance.now();
      await new Promise((r) => setTimeout(r, 50));
      await h.sink.send([order(1)]);
      await h.sink.flush();
      await waiting;
      expect(performance.now() - started).toBeLessThan(10_000);
    });

    it('fails clearly when retention removed offsets a range needs', async () => {
      const messages = Array.from({ length: 40 }, (_, i) => order(i, 'Thamel'));
      await sendAll(h.sink, messages, 40);
      const partition = partitionForKey('Thamel', h.partitions);
      // When retention removes the oldest records
      await h.expireOldest(partition);
      const position = (await h.source.positions()).find((p) => p.partition === partition)!;
      expect(position.earliest).toBeGreaterThan(0);
      // Then reading from offset 0 fails with a message naming retention, and what remains is readable
      await expect(h.source.read([{ partition, from: 0, to: position.latest }])).rejects.toThrow(/retention/);
      const rest = await h.source.read([{ partition, from: position.earliest, to: position.latest }]);
      expect(rest.map((r) => r.offset)[0]).toBe(position.earliest);
      expect(rest).toHaveLength(position.latest - position.earliest);
    });

    it('commits processed offsets to an external group when it can, and reads them back', async () => {
      await sendAll(
        h.sink,
        Array.from({ length: 12 }, (_, i) => order(i)),
        12,
      );
      if (!h.source.capabilities.externalCommit) {
        expect(h.source.commit === undefined || h.source.groupOffsets === undefined).toBe(true);
        return;
      }
      const positions = await h.source.positions();
      const processed = Object.fromEntries(positions.map((p) => [String(p.partition), p.latest]));
      await h.source.commit!(processed);
      const group = (h as BackendHarness & { group?: string }).group;
      expect(group).toBeDefined();
      expect(await h.source.groupOffsets!(group!)).toEqual(processed);
    });
  });
}
