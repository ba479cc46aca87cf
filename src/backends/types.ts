/**
 * The seams between brewline's parts (ARCHITECTURE.md). Every backend implements some of these; nothing
 * outside src/backends imports a broker or database SDK. Offsets are plain numbers (Kafka offsets and Event
 * Hubs sequence numbers both fit safely below 2^53); partitions are numbered from 0.
 */

/** A message for a producer sink. */
export interface OutgoingMessage {
  /** Partition key — the branch name, so one branch's orders stay ordered within a partition. */
  readonly key: string;
  /** The payload: UTF-8 JSON for orders; arbitrary bytes for injected malformed faults. */
  readonly value: string | Uint8Array;
  /** Producer timestamp (ms since epoch); backends that support it send it as the record's CreateTime. */
  readonly timestampMs?: number;
  /** Explicit partition; overrides key hashing when set. */
  readonly partition?: number;
}

export interface Rejection {
  /** Index of the message in the batch given to `send`. */
  readonly index: number;
  readonly reason: string;
}

/** What the backend acknowledged for one `send` call. Every message is either acked or rejected. */
export interface SendReceipt {
  readonly acked: number;
  /** Messages refused permanently (e.g. larger than the backend's limit); never half-sent. */
  readonly rejections: readonly Rejection[];
  /** Time from `send` to the last acknowledgement, in ms. */
  readonly latencyMs: number;
  /** How many times the backend throttled this send (ServerBusy, quota) before it went through. */
  readonly throttled: number;
  /** How many retries (of any kind) the send needed. */
  readonly retries: number;
}

export interface SinkCapabilities {
  /** Largest message the backend accepts, in bytes; larger messages are rejected before sending. */
  readonly maxMessageBytes: number | undefined;
  /** Upper bound of concurrent `send` calls the caller should keep in flight (its backpressure window). */
  readonly maxInFlight: number;
  /** Preferred messages per `send` call. */
  readonly preferredBatchSize: number;
  /** Whether data outlives the process (false for the in-process bus and stdout). */
  readonly durable: boolean;
}

/**
 * A producer. Callers batch messages, keep at most `capabilities.maxInFlight` sends outstanding and await
 * the oldest before sending more: that is the whole backpressure contract, so no sink buffers without limit.
 */
export interface Sink {
  readonly kind: string;
  /** Where it sends, safe to print (never contains secrets). */
  readonly description: string;
  readonly capabilities: SinkCapabilities;
  open(): Promise<void>;
  /** Resolves when every message of the batch is acknowledged or rejected; rejects on a non-retriable failure. */
  send(batch: readonly OutgoingMessage[]): Promise<SendReceipt>;
  /** Resolves when everything sent so far is acknowledged. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

/** How a record's timestamp was set (Kafka's timestampType, Event Hubs' enqueued time, file read time). */
export type TimestampType = 'CreateTime' | 'LogAppendTime' | 'EnqueuedTime' | 'IngestTime';

/** One record read from a partitioned source, with everything bronze keeps about where it came from. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
  readonly key: string | null;
  /** The message's exact bytes, as the broker or file holds them: bronze stores them unaltered (BLOB). */
  readonly value: Uint8Array;
  /**
   * `value` decoded as UTF-8, when the source has it for free and `value` is valid UTF-8 (e.g. an ASCII file
   * chunk); the pipeline decodes (and checks) `value` itself otherwise. Never a lossy (U+FFFD) decoding.
   */
  readonly text?: string;
  readonly timestampMs: number;
  readonly timestampType: TimestampType;
}

/** Earliest available and next-to-be-written offsets of one partition, read fresh. */
export interface PartitionPosition {
  readonly partition: number;
  /** First offset still available (retention may have removed earlier ones). */
  readonly earliest: number;
  /** Offset the next message will get: the exclusive end of what exists now. */
  readonly latest: number;
  /** Timestamp of the last message (Event Hubs' last enqueued time), when the backend knows it cheaply. */
  readonly latestTimestampMs?: number;
}

/** Per-partition offsets, keyed by partition number as a string (JSON-friendly: checkpoints store it). */
export type PartitionOffsets = Readonly<Record<string, number>>;

/** A half-open range [from, to) of one partition to read. */
export interface OffsetRange {
  readonly partition: number;
  readonly from: number;
  readonly to: number;
}

export interface SourceCapabilities {
  /** Offsets are dense (every integer between two records is a record): lag in offsets = lag in messages. */
  readonly denseOffsets: boolean;
  /** The source can wait for new data itself (`waitForData`) instead of being polled. */
  readonly canWait: boolean;
  /** The source can commit processed offsets to an external consumer group. */
  readonly externalCommit: boolean;
}

/** Reads current partition positions; used for lag. Sources are probes too. */
export interface LagProbe {
  readonly kind: string;
  readonly description: string;
  positions(): Promise<PartitionPosition[]>;
  /** Timestamp of the record at `offset`, for lag in seconds; undefined when there is none yet. */
  timestampAt?(partition: number, offset: number): Promise<number | undefined>;
  /** Committed offsets of an external consumer group (Kafka `--group`, Event Hubs checkpoint store). */
  groupOffsets?(group: string): Promise<PartitionOffsets>;
  close(): Promise<void>;
}

/**
 * A partitioned, replayable source: the pipeline decides the exact ranges of each micro-batch from its own
 * checkpoint (like Spark's Kafka source), so a re-run batch reads exactly the same records.
 */
export interface Source extends LagProbe {
  /** Stable identity (e.g. `bus:orders`, `file:/abs/orders.ndjson`, `kafka:orders`); checkpoints refuse a different one. */
  readonly id: string;
  readonly capabilities: SourceCapabilities;
  open(): Promise<void>;
  /** Reads every record in the ranges, in offset order within each partition. */
  read(ranges: readonly OffsetRange[], signal?: AbortSignal): Promise<SourceRecord[]>;
  /** Resolves when new data may be available, or after `timeoutMs`. Only when `capabilities.canWait`. */
  waitForData?(timeoutMs: number, signal?: AbortSignal): Promise<void>;
  /**
   * For sources whose offsets are not dense (file byte offsets): the offset just after the first `count`
   * records starting at `from`, never beyond `limit`, and spanning at most `maxBytes` bytes unless the first
   * record alone is larger (a batch always moves). Lets the engine bound a batch by records and bytes without
   * reading it twice. Dense sources omit it (`from + count`).
   */
  offsetAfter?(
    partition: number,
    from: number,
    count: number,
    limit: number,
    maxBytes?: number,
  ): Promise<number>;
  /**
   * Refuses (with a DataIntegrityError) an end offset that is not a record boundary, before the engine logs
   * it in offsets/N. Sources whose every offset up to the latest is a boundary (dense ones) may omit it.
   */
  checkEnd?(end: PartitionOffsets): Promise<void>;
  /** Commits processed offsets to an external consumer group (never used for recovery). */
  commit?(offsets: PartitionOffsets): Promise<void>;
}

/** A read-only SQL view of a lakehouse (embedded DuckDB, Databricks SQL). */
export interface QueryResult {
  readonly columns: readonly string[];
  /** JSON-safe values: DECIMAL as strings ("185.00"), TIMESTAMP as ISO strings, BIGINT as numbers when safe. */
  readonly rows: readonly (readonly unknown[])[];
}

/** A value bound to a named parameter marker (`:name`). */
export type QueryParameter = string | number | boolean | null;

export interface LakehouseReader {
  readonly kind: string;
  readonly description: string;
  query(sql: string): Promise<QueryResult>;
  /**
   * Runs SQL with named parameter markers (`:name`) whose values are bound by the engine, never spliced into
   * the text (Databricks SQL). Readers that cannot bind parameters leave it out.
   */
  queryWithParams?(sql: string, params: Readonly<Record<string, QueryParameter>>): Promise<QueryResult>;
  close(): Promise<void>;
}
