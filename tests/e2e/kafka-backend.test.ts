import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaSink, KafkaSource, KafkaTopicAdmin, kafkaLag } from '../../src/backends/kafka/index.js';
import type { OutgoingMessage, SendReceipt } from '../../src/backends/types.js';
import { kafkaSinkSchema, kafkaSourceSchema } from '../../src/config/kafka-config.js';
import { DataIntegrityError, ExternalError } from '../../src/errors.js';
import { freePort } from '../../scripts/kafka/broker.mjs';
import { libsDir, startKafkaBroker, stopKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';

/**
 * The Kafka backend against a real single-node broker: restarts, errors a user must understand, new
 * partitions, retention gaps, and lag checked against Kafka's own kafka-consumer-groups tool.
 */
let broker: KafkaBroker;
const env = {};

beforeAll(async () => {
  broker = await startKafkaBroker({ quiet: true, timeoutMs: 120_000 });
}, 240_000);
afterAll(async () => {
  if (broker) await stopKafkaBroker(broker);
}, 60_000);

const newTopic = (): string => `e2e-${randomUUID()}`;
const sinkFor = (topic: string, extra: Record<string, unknown> = {}): KafkaSink =>
  new KafkaSink(
    kafkaSinkSchema.parse({ kind: 'kafka', brokers: broker.bootstrap, topic, partitions: 3, ...extra }),
    env,
  );
const sourceFor = (topic: string, extra: Record<string, unknown> = {}): KafkaSource =>
  new KafkaSource(
    kafkaSourceSchema.parse({ kind: 'kafka', brokers: broker.bootstrap, topic, ...extra }),
    env,
  );
const msg = (i: number): OutgoingMessage => ({ key: `branch-${i % 13}`, value: JSON.stringify({ seq: i }) });

async function readAll(source: KafkaSource): Promise<{ seq: number; partition: number }[]> {
  const positions = await source.positions();
  const records = await source.read(
    positions.map((p) => ({ partition: p.partition, from: p.earliest, to: p.latest })),
  );
  return records.map((r) => ({
    seq: JSON.parse(Buffer.from(r.value).toString('utf8')).seq as number,
    partition: r.partition,
  }));
}

describe('Kafka sink through a broker restart', () => {
  it('retries with backoff and loses no acknowledged message', async () => {
    const topic = newTopic();
    const sink = sinkFor(topic, { retries: 10 });
    await sink.open();
    const receipts: SendReceipt[] = [];
    const total = 6000;
    let restart: Promise<void> | undefined;
    const window: Promise<void>[] = [];
    // Given a producer sending steadily
    for (let i = 0; i < total; i += 100) {
      window.push(
        sink.send(Array.from({ length: 100 }, (_, j) => msg(i + j))).then((r) => void receipts.push(r)),
      );
      if (window.length >= sink.capabilities.maxInFlight) await window.shift();
      if (!restart && i >= total / 3) {
        // When the broker stops and comes back on the same ports with its data, while sends continue
        restart = (async () => {
          await stopKafkaBroker(broker, { keepData: true });
          broker = await startKafkaBroker({ dir: broker.dir, quiet: true, timeoutMs: 120_000 });
        })();
        await new Promise((r) => setTimeout(r, 200));
      }
    }
    await restart;
    await Promise.all(window);
    await sink.flush();
    await sink.close();
    // Then every message was acknowledged, some after retries, and every one is in the topic
    expect(receipts.reduce((n, r) => n + r.acked, 0)).toBe(total);
    expect(receipts.reduce((n, r) => n + r.retries, 0)).toBeGreaterThan(0);
    const source = sourceFor(topic);
    await source.open();
    const seqs = new Set((await readAll(source)).map((r) => r.seq));
    await source.close();
    expect(seqs.size).toBe(total);
  }, 180_000);
});

describe('Kafka errors a user can act on', () => {
  it('names a missing topic when the sink may not create it', async () => {
    const sink = sinkFor(newTopic(), { createTopic: false });
    const error = await sink.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    await sink.close();
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toMatch(/topic does not exist/);
    expect((error as ExternalError).hint).toMatch(/createTopic|--partitions/);
  });

  it('tells a TLS client pointed at a plaintext listener that the handshake failed', async () => {
    const sink = sinkFor(newTopic(), { tls: true, connectionTimeoutMs: 3000, requestTimeoutMs: 3000 });
    const error = await sink.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    await sink.close();
    expect(error).toBeInstanceOf(ExternalError);
    expect(String((error as Error).message)).toMatch(/TLS|cannot reach/);
  }, 60_000);

  it('says the broker is unreachable, with the kafka:start hint, and never prints the SASL password', async () => {
    const port = await freePort();
    const sink = new KafkaSink(
      kafkaSinkSchema.parse({
        kind: 'kafka',
        brokers: `127.0.0.1:${port}`,
        sasl: { mechanism: 'plain', username: 'pos', password: 'never-print-me' },
        connectionTimeoutMs: 500,
        requestTimeoutMs: 1000,
      }),
      env,
    );
    const error = await sink.open().then(
      () => undefined,
      (e: unknown) => e,
    );
    await sink.close();
    expect(error).toBeInstanceOf(ExternalError);
    expect((error as ExternalError).message).toMatch(/cannot reach Kafka/);
    expect((error as ExternalError).hint).toMatch(/kafka:start/);
    expect(JSON.stringify({ m: (error as Error).message, d: sink.description })).not.toContain(
      'never-print-me',
    );
  }, 60_000);
});

describe('Kafka source', () => {
  it('sees partitions added while it runs and reads them', async () => {
    const topic = newTopic();
    const sink = sinkFor(topic);
    await sink.open();
    await sink.send(Array.from({ length: 30 }, (_, i) => msg(i)));
    await sink.close();
    const source = sourceFor(topic);
    await source.open();
    expect((await source.positions()).length).toBe(3);
    // When the topic grows to 5 partitions and a producer writes to the new ones
    const admin = new KafkaTopicAdmin(sink.connection);
    await admin.addPartitions(5);
    await admin.close();
    const grown = sinkFor(topic);
    await grown.open();
    expect(grown.partitionCount).toBe(5);
    await grown.send([
      { ...msg(100), partition: 3 },
      { ...msg(101), partition: 4 },
    ]);
    await grown.close();
    // Then the source reports them (metadata refreshes within seconds) and reads their records
    let positions = await source.positions();
    // Bounded by a deadline, not a number of polls: a loaded machine makes each poll slower.
    for (const deadline = Date.now() + 60_000; positions.length < 5 && Date.now() < deadline;) {
      await new Promise((r) => setTimeout(r, 250));
      positions = await source.positions();
    }
    expect(positions.map((p) => p.partition)).toEqual([0, 1, 2, 3, 4]);
    const rows = await readAll(source);
    expect(
      rows
        .filter((r) => r.partition >= 3)
        .map((r) => r.seq)
        .sort(),
    ).toEqual([100, 101]);
    await source.close();
  }, 60_000);

  it('fails on a retention gap by default, and skips it knowingly with failOnDataLoss=false', async () => {
    const topic = newTopic();
    const sink = sinkFor(topic);
    await sink.open();
    await sink.send(Array.from({ length: 20 }, (_, i) => ({ ...msg(i), partition: 0 })));
    await sink.close();
    const admin = new KafkaTopicAdmin(sink.connection);
    await admin.deleteRecordsBefore(0, 15);
    await admin.close();

    const strict = sourceFor(topic);
    await strict.open();
    const error = await strict.read([{ partition: 0, from: 10, to: 20 }]).then(
      () => undefined,
      (e: unknown) => e,
    );
    await strict.close();
    expect(error).toBeInstanceOf(DataIntegrityError);
    expect((error as Error).message).toMatch(/offsets 10\.\.14 of partition 0 .* removed by retention/);
    expect((error as DataIntegrityError).hint).toMatch(/failOnDataLoss/);

    const lenient = sourceFor(topic, { failOnDataLoss: false });
    await lenient.open();
    const records = await lenient.read([{ partition: 0, from: 10, to: 20 }]);
    expect(records.map((r) => r.offset)).toEqual([15, 16, 17, 18, 19]);
    expect(lenient.skipped).toEqual([{ partition: 0, from: 10, to: 15 }]);
    await lenient.close();
  }, 60_000);

  it('commits processed offsets to a group: lag matches kafka-consumer-groups --describe', async () => {
    const topic = newTopic();
    const group = `pipeline-${randomUUID()}`;
    const sink = sinkFor(topic);
    await sink.open();
    await sink.send(Array.from({ length: 300 }, (_, i) => msg(i)));
    await sink.close();
    const source = sourceFor(topic, { group });
    await source.open();
    const positions = await source.positions();
    // Given the pipeline processed all but (partition + 2) records of each partition
    const processed = Object.fromEntries(
      positions.map((p) => [String(p.partition), p.latest - (p.partition + 2)]),
    );
    await source.commit!(processed);
    const ours = await kafkaLag(source, { group });
    await source.close();
    // When Kafka's own tool describes the group
    const tool = spawnSync(
      'java',
      [
        '-Xmx256m',
        '-cp',
        `${libsDir}/*`,
        'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
        '--bootstrap-server',
        broker.bootstrap,
        '--describe',
        '--group',
        group,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const theirs = tool.stdout
      .split('\n')
      .map((line) => line.trim().split(/\s+/))
      .filter((cols) => cols[0] === group && cols[1] === topic)
      .map((cols) => ({
        partition: Number(cols[2]),
        currentOffset: Number(cols[3]),
        logEndOffset: Number(cols[4]),
        lag: Number(cols[5]),
      }))
      .sort((a, b) => a.partition - b.partition);
    // Then both agree partition by partition
    expect(theirs).toHaveLength(3);
    expect(
      ours.map(({ partition, currentOffset, logEndOffset, lag }) => ({
        partition,
        currentOffset,
        logEndOffset,
        lag,
      })),
    ).toEqual(theirs);
    expect(ours.map((r) => r.lag)).toEqual([2, 3, 4]);
    for (const row of ours) expect(row.lagSeconds).toBeGreaterThanOrEqual(0);
  }, 90_000);
});
