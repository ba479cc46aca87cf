import type * as PlatformaticKafka from '@platformatic/kafka';
import {
  describeKafkaConnection,
  resolveKafkaConnection,
  type KafkaConnection,
  type KafkaSourceConfig,
} from '../../config/kafka-config.js';
import { DataIntegrityError, ExternalError } from '../../errors.js';
import { retry } from '../../retry.js';
import { loadPlatformaticKafka } from './platformatic.js';
import type {
  OffsetRange,
  PartitionOffsets,
  PartitionPosition,
  Source,
  SourceCapabilities,
  SourceRecord,
} from '../types.js';
import { platformaticBaseOptions } from './kafka-clients.js';
import { classifyKafkaError, toKafkaError } from './kafka-errors.js';
import { nextOffsetAfter, recordsInRange, type FetchedBatch } from './record-batches.js';

/** The slices of @platformatic/kafka's Consumer and protocol the source uses (loaded lazily). */
interface FetchPartition {
  partitionIndex: number;
  errorCode: number;
  highWatermark: bigint;
  logStartOffset: bigint;
  records?: FetchedBatch[];
}
interface FetchResponse {
  responses: { topicId: string; partitions: FetchPartition[] }[];
}
interface Metadata {
  brokers: Map<number, unknown>;
  topics: Map<
    string,
    { id: string; partitionsCount: number; partitions: { leader: number; leaderEpoch: number }[] }
  >;
}
interface PlatformaticConsumer {
  metadata(options: { topics: string[]; forceUpdate?: boolean }): Promise<Metadata>;
  fetch(options: {
    node: number;
    topics: {
      topicId: string;
      partitions: {
        partition: number;
        currentLeaderEpoch: number;
        fetchOffset: bigint;
        lastFetchedEpoch: number;
        partitionMaxBytes: number;
      }[];
    }[];
    maxWaitTime?: number;
    minBytes?: number;
    maxBytes?: number;
    isolationLevel?: number;
  }): Promise<FetchResponse>;
  listOffsets(options: {
    topics: string[];
    timestamp?: bigint;
    isolationLevel?: number;
  }): Promise<Map<string, bigint[]>>;
  listCommittedOffsets(options: {
    topics: { topic: string; partitions: number[] }[];
  }): Promise<Map<string, bigint[]>>;
  findGroupCoordinator(): Promise<number>;
  connectToBrokers(nodeIds?: number[] | null): Promise<Map<number, unknown>>;
  close(force?: boolean): Promise<void>;
}
type PlatformaticModule = typeof PlatformaticKafka;

const OFFSET_OUT_OF_RANGE = 1;
const READ_UNCOMMITTED = 0;
const LATEST = -1n;
const EARLIEST = -2n;

/**
 * The pipeline's Kafka source (Source seam) and lag probe. Like Spark's Kafka source it never joins a
 * consumer group: the engine decides each micro-batch's [from, to) per partition from its own checkpoint and
 * this source reads exactly those records with direct Fetch requests to each partition's leader
 * (@platformatic/kafka's `Consumer.fetch`; kafkajs only offers group-managed consumers). Processed offsets
 * can additionally be committed to a consumer group (`group`) as a "simple" commit (generation -1, no
 * member), so `kafka-consumer-groups --describe` and `groupOffsets` show the pipeline's lag.
 */
export class KafkaSource implements Source {
  readonly kind = 'kafka';
  readonly id: string;
  readonly description: string;
  readonly capabilities: SourceCapabilities;
  readonly connection: KafkaConnection;
  private readonly config: KafkaSourceConfig;
  private lib: PlatformaticModule | undefined;
  private consumer: PlatformaticConsumer | undefined;
  private readonly groupClients = new Map<string, PlatformaticConsumer>();
  private lastLatest = new Map<number, number>();
  /** Offsets skipped because retention removed them (failOnDataLoss=false), for reporting. */
  readonly skipped: { partition: number; from: number; to: number }[] = [];

  constructor(config: KafkaSourceConfig, env: NodeJS.ProcessEnv = process.env) {
    this.config = config;
    this.connection = resolveKafkaConnection(config, env);
    this.id = `kafka:${this.connection.topic}`;
    this.description = describeKafkaConnection(this.connection);
    this.capabilities = { denseOffsets: true, canWait: true, externalCommit: config.group !== undefined };
  }

  private get where(): string {
    return `topic "${this.connection.topic}" on ${this.connection.brokers.join(',')}`;
  }

  private async newConsumer(groupId: string): Promise<PlatformaticConsumer> {
    this.lib ??= await loadPlatformaticKafka();
    return new this.lib.Consumer({
      ...platformaticBaseOptions(this.connection),
      groupId,
      // New partitions must show up within seconds.
      metadataMaxAge: 5_000,
      isolationLevel: READ_UNCOMMITTED,
    }) as unknown as PlatformaticConsumer;
  }

  async open(): Promise<void> {
    this.consumer ??= await this.newConsumer(this.config.group ?? `${this.connection.clientId}-reader`);
    await this.topicMetadata(true);
  }

  private client(): PlatformaticConsumer {
    if (!this.consumer) throw new Error('the Kafka source is not open');
    return this.consumer;
  }

  private async topicMetadata(
    forceUpdate = false,
  ): Promise<{ id: string; partitions: { leader: number; leaderEpoch: number }[] }> {
    const topic = this.connection.topic;
    let metadata: Metadata;
    try {
      metadata = await retry(() => this.client().metadata({ topics: [topic], forceUpdate }), {
        retries: 3,
        initialDelayMs: 200,
        isRetriable: (e) => classifyKafkaError(e).kind === 'unreachable',
      });
    } catch (error) {
      throw toKafkaError(error, 'reading topic metadata', this.where);
    }
    const info = metadata.topics.get(topic);
    if (!info) {
      throw new ExternalError(`the Kafka topic does not exist (${this.where})`, {
        hint: 'start the simulator with --sink kafka first (it creates the topic), or check --topic / KAFKA_TOPIC',
      });
    }
    return info;
  }

  private async listOffsets(timestamp: bigint): Promise<bigint[]> {
    const topic = this.connection.topic;
    try {
      const offsets = await retry(
        () => this.client().listOffsets({ topics: [topic], timestamp, isolationLevel: READ_UNCOMMITTED }),
        { retries: 4, initialDelayMs: 200, isRetriable: (e) => classifyKafkaError(e).retriable },
      );
      return offsets.get(topic) ?? [];
    } catch (error) {
      throw toKafkaError(error, 'listing partition offsets', this.where);
    }
  }

  async positions(): Promise<PartitionPosition[]> {
    const [earliest, latest] = await Promise.all([this.listOffsets(EARLIEST), this.listOffsets(LATEST)]);
    const out: PartitionPosition[] = [];
    for (let partition = 0; partition < latest.length; partition++) {
      const end = Number(latest[partition] ?? 0n);
      // Only ever forward: a slower concurrent call (a status endpoint's) must not move the baseline back.
      this.lastLatest.set(partition, Math.max(end, this.lastLatest.get(partition) ?? 0));
      out.push({ partition, earliest: Number(earliest[partition] ?? 0n), latest: end });
    }
    return out;
  }

  async read(ranges: readonly OffsetRange[], signal?: AbortSignal): Promise<SourceRecord[]> {
    const results = new Map<number, SourceRecord[]>();
    const cursors = new Map<number, { next: number; to: number }>();
    for (const r of ranges) {
      if (r.to > r.from) cursors.set(r.partition, { next: r.from, to: r.to });
      results.set(r.partition, []);
    }
    let attempts = 0;
    while (cursors.size > 0) {
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
      const meta = await this.topicMetadata(attempts > 0);
      // One Fetch per leader with every partition it still owes us.
      const byLeader = new Map<number, number[]>();
      for (const partition of cursors.keys()) {
        const info = meta.partitions[partition];
        if (!info) {
          throw new ExternalError(`partition ${partition} does not exist (${this.where})`, {
            hint: 'the checkpoint names a partition the topic no longer has: was the topic deleted and recreated?',
          });
        }
        byLeader.set(info.leader, [...(byLeader.get(info.leader) ?? []), partition]);
      }
      let progressed = false;
      let failure: unknown;
      await Promise.all(
        [...byLeader].map(async ([leader, partitions]) => {
          let response: FetchResponse | undefined;
          try {
            response = await this.client().fetch({
              node: leader,
              maxWaitTime: 50,
              minBytes: 1,
              maxBytes: this.config.maxBytesPerPartition * partitions.length,
              isolationLevel: READ_UNCOMMITTED,
              topics: [
                {
                  topicId: meta.id,
                  partitions: partitions.map((p) => ({
                    partition: p,
                    currentLeaderEpoch: meta.partitions[p]!.leaderEpoch,
                    fetchOffset: BigInt(cursors.get(p)!.next),
                    lastFetchedEpoch: -1,
                    partitionMaxBytes: this.config.maxBytesPerPartition,
                  })),
                },
              ],
            });
          } catch (error) {
            // A partition-level error still carries the other partitions' data.
            response = (error as { response?: FetchResponse }).response;
            if (!response?.responses) {
              failure = error;
              return;
            }
          }
          for (const topic of response.responses) {
            for (const part of topic.partitions) {
              const cursor = cursors.get(part.partitionIndex);
              if (!cursor) continue;
              if (part.errorCode === OFFSET_OUT_OF_RANGE) {
                progressed = (await this.handleOutOfRange(part.partitionIndex, cursor)) || progressed;
                if (cursor.next >= cursor.to) cursors.delete(part.partitionIndex);
                continue;
              }
              if (part.errorCode !== 0) {
                failure = Object.assign(
                  new Error(`fetch error code ${part.errorCode} on partition ${part.partitionIndex}`),
                  {
                    retriable: true,
                  },
                );
                continue;
              }
              const batches = part.records ?? [];
              const got = recordsInRange(
                this.connection.topic,
                part.partitionIndex,
                batches,
                cursor.next,
                cursor.to,
              );
              results.get(part.partitionIndex)!.push(...got);
              const after = nextOffsetAfter(batches);
              if (after !== undefined && after > cursor.next) {
                cursor.next = after;
                progressed = true;
              }
              // The range may reach past what exists: stop at the high watermark, like the bus clamps.
              if (cursor.next >= cursor.to || cursor.next >= Number(part.highWatermark)) {
                cursors.delete(part.partitionIndex);
                progressed = true;
              }
            }
          }
        }),
      );
      if (failure !== undefined || !progressed) {
        attempts++;
        const classified = failure === undefined ? undefined : classifyKafkaError(failure);
        if (
          attempts > 8 ||
          (classified && !classified.retriable && !(failure as { retriable?: boolean }).retriable)
        ) {
          throw toKafkaError(
            failure ?? new Error('no progress reading offsets'),
            'reading records',
            this.where,
          );
        }
        await new Promise((r) => setTimeout(r, Math.min(5000, 100 * 2 ** attempts)));
      } else {
        attempts = 0;
      }
    }
    const out: SourceRecord[] = [];
    for (const r of ranges) {
      const rows = results.get(r.partition);
      if (rows) {
        out.push(...rows);
        results.delete(r.partition);
      }
    }
    return out;
  }

  /** Retention removed offsets the range needs: fail (default) or skip to the earliest still there. */
  private async handleOutOfRange(partition: number, cursor: { next: number; to: number }): Promise<boolean> {
    const earliest = Number((await this.listOffsets(EARLIEST))[partition] ?? 0n);
    if (cursor.next >= earliest) return false; // past the end: the high-watermark check ends the range
    if (this.config.failOnDataLoss) {
      throw new DataIntegrityError(
        `offsets ${cursor.next}..${Math.min(cursor.to, earliest) - 1} of partition ${partition} of Kafka topic "${this.connection.topic}" were removed by retention before the pipeline read them (data loss)`,
        {
          hint: 'raise the topic retention (retention.ms / retention.bytes), or set source.failOnDataLoss: false (--fail-on-data-loss false) to skip them knowingly',
        },
      );
    }
    const to = Math.min(cursor.to, earliest);
    this.skipped.push({ partition, from: cursor.next, to });
    process.emitWarning(
      `brewline: skipped offsets ${cursor.next}..${to - 1} of partition ${partition} of "${this.connection.topic}" removed by retention (failOnDataLoss=false)`,
    );
    cursor.next = to;
    return true;
  }

  async timestampAt(partition: number, offset: number): Promise<number | undefined> {
    const meta = await this.topicMetadata();
    const info = meta.partitions[partition];
    if (!info || offset < 0) return undefined;
    try {
      const response = await this.client().fetch({
        node: info.leader,
        maxWaitTime: 0,
        minBytes: 1,
        maxBytes: 64 * 1024,
        isolationLevel: READ_UNCOMMITTED,
        topics: [
          {
            topicId: meta.id,
            partitions: [
              {
                partition,
                currentLeaderEpoch: info.leaderEpoch,
                fetchOffset: BigInt(offset),
                lastFetchedEpoch: -1,
                partitionMaxBytes: 64 * 1024,
              },
            ],
          },
        ],
      });
      const part = response.responses[0]?.partitions[0];
      const rows = recordsInRange(this.connection.topic, partition, part?.records ?? [], offset, offset + 1);
      return rows[0]?.timestampMs;
    } catch {
      // Out of range (not written yet, or removed): no timestamp.
      return undefined;
    }
  }

  async waitForData(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const baseline = this.lastLatest.size > 0 ? new Map(this.lastLatest) : undefined;
    let first = baseline;
    while (!signal?.aborted && Date.now() < deadline) {
      const latest = await this.listOffsets(LATEST).catch(() => undefined);
      if (latest) {
        const now = new Map(latest.map((o, p) => [p, Number(o)]));
        if (!first) first = now;
        else if ([...now].some(([p, o]) => o > (first!.get(p) ?? 0))) return;
      }
      const wait = Math.min(this.config.pollIntervalMs, Math.max(0, deadline - Date.now()));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, wait);
        function done(): void {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          resolve();
        }
        signal?.addEventListener('abort', done, { once: true });
      });
    }
  }

  private async groupClient(group: string): Promise<PlatformaticConsumer> {
    let client = this.groupClients.get(group);
    if (!client) {
      client = await this.newConsumer(group);
      this.groupClients.set(group, client);
    }
    return client;
  }

  /** Committed offsets of any consumer group on this topic (partitions without a commit are left out). */
  async groupOffsets(group: string): Promise<PartitionOffsets> {
    const meta = await this.topicMetadata();
    const client = await this.groupClient(group);
    let committed: Map<string, bigint[]>;
    try {
      committed = await client.listCommittedOffsets({
        topics: [{ topic: this.connection.topic, partitions: meta.partitions.map((_, i) => i) }],
      });
    } catch (error) {
      throw toKafkaError(error, `reading the offsets of consumer group "${group}"`, this.where);
    }
    const out: Record<string, number> = {};
    (committed.get(this.connection.topic) ?? []).forEach((offset, partition) => {
      if (offset >= 0n) out[String(partition)] = Number(offset);
    });
    return out;
  }

  /**
   * Commits processed offsets (the next offset to read, Kafka's convention) to `config.group` as a simple
   * commit: generation -1 and no member, which brokers accept for groups with no active members.
   */
  async commit(offsets: PartitionOffsets): Promise<void> {
    const group = this.config.group;
    if (!group) return;
    const entries = Object.entries(offsets);
    if (entries.length === 0) return;
    this.lib ??= await loadPlatformaticKafka();
    const lib = this.lib;
    const client = await this.groupClient(group);
    try {
      await retry(
        async () => {
          const coordinator = await client.findGroupCoordinator();
          const connections = await client.connectToBrokers([coordinator]);
          const connection = connections.get(coordinator);
          if (!connection)
            throw Object.assign(new Error('no connection to the group coordinator'), { retriable: true });
          const response = await lib.offsetCommitV8.api.async(
            connection as Parameters<typeof lib.offsetCommitV8.api.async>[0],
            group,
            -1,
            '',
            null,
            [
              {
                name: this.connection.topic,
                partitions: entries.map(([partition, offset]) => ({
                  partitionIndex: Number(partition),
                  committedOffset: BigInt(offset),
                  committedLeaderEpoch: -1,
                  committedMetadata: null,
                })),
              },
            ],
          );
          for (const topic of response.topics) {
            for (const p of topic.partitions) {
              if (p.errorCode !== 0)
                throw new Error(`offset commit error code ${p.errorCode} for partition ${p.partitionIndex}`);
            }
          }
        },
        { retries: 3, initialDelayMs: 200, isRetriable: (e) => classifyKafkaError(e).retriable },
      );
    } catch (error) {
      throw toKafkaError(error, `committing offsets to consumer group "${group}"`, this.where);
    }
  }

  async close(): Promise<void> {
    const clients = [this.consumer, ...this.groupClients.values()];
    this.consumer = undefined;
    this.groupClients.clear();
    await Promise.all(clients.map((c) => c?.close(true).catch(() => undefined)));
  }
}

/** A lag probe over a Kafka topic (positions, record timestamps, any group's committed offsets). */
export function kafkaProbe(config: KafkaSourceConfig, env: NodeJS.ProcessEnv = process.env): KafkaSource {
  return new KafkaSource(config, env);
}
