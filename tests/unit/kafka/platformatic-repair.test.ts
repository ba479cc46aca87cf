import { describe, expect, it } from 'vitest';
import {
  loadPlatformaticKafka,
  taggedFieldsReadCorrectly,
} from '../../../src/backends/kafka/platformatic.js';

/**
 * A Produce v11 response as a Kafka 3.7+ broker sends it after a leader change: the partition answers
 * NOT_LEADER_OR_FOLLOWER (6) and carries the `current_leader` tagged field (KIP-951). The client must parse
 * it to the broker's error, which a producer retries, not fail with a parse error it cannot retry.
 */
function notLeaderResponse(): Buffer {
  const topic = Buffer.from('orders');
  const int16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
  const int32 = (n: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };
  const int64 = (n: bigint): Buffer => {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(n);
    return b;
  };
  // current_leader: leader_id INT32, leader_epoch INT32, then its own (empty) tagged fields
  const currentLeader = Buffer.concat([int32(1), int32(7), Buffer.from([0x00])]);
  return Buffer.concat([
    Buffer.from([0x02]), // responses: 1 topic (compact array length + 1)
    Buffer.from([topic.length + 1]),
    topic,
    Buffer.from([0x02]), // partition_responses: 1
    int32(0), // index
    int16(6), // error_code NOT_LEADER_OR_FOLLOWER
    int64(-1n), // base_offset
    int64(-1n), // log_append_time_ms
    int64(-1n), // log_start_offset
    Buffer.from([0x01]), // record_errors: empty
    Buffer.from([0x00]), // error_message: null
    Buffer.from([0x01, 0x00, currentLeader.length]), // tagged fields: 1 field, tag 0, size
    currentLeader,
    Buffer.from([0x00]), // topic's tagged fields
    int32(1234), // throttle_time_ms
    Buffer.from([0x00]), // response's tagged fields
  ]);
}

describe('@platformatic/kafka as brewline loads it', () => {
  it('reads a tagged-field section by its field count, tag and size', async () => {
    const lib = await loadPlatformaticKafka();
    expect(taggedFieldsReadCorrectly(lib)).toBe(true);
  });

  it("parses a produce response that names the partition's new leader to the broker's error", async () => {
    const lib = await loadPlatformaticKafka();
    let error: unknown;
    try {
      lib.produceV11.parseResponse(1, 0, 11, lib.Reader.from(notLeaderResponse()));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(lib.ResponseError);
    // the whole response was read in step: the last field is where the broker put it
    expect((error as { response?: { throttleTimeMs?: number } }).response?.throttleTimeMs).toBe(1234);
  });
});
