import { partitionForKey } from '../partitioner.js';
import type { PartitionPosition } from '../types.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?:^|[^\uD800-\uDBFF])[\uDC00-\uDFFF]/;

interface StoredMessage {
  readonly key: string | null;
  /** The exact bytes; `text` too when the message was appended as a (well-formed) string. */
  readonly bytes: Uint8Array;
  readonly text: string | undefined;
  readonly timestampMs: number;
}

class PartitionLog {
  /** Offset of messages[0]; grows when old messages are trimmed. */
  base = 0;
  messages: StoredMessage[] = [];
  get end(): number {
    return this.base + this.messages.length;
  }
}

export interface BusOptions {
  /** @default 4 */
  partitions?: number;
  /** Messages kept per partition before the oldest are trimmed (bounded memory for long demos). @default 2_000_000 */
  retainPerPartition?: number;
  /** @default 1_048_576 */
  maxMessageBytes?: number;
}

/**
 * An in-process partitioned log with offsets: the embedded default between simulator and pipeline. It
 * behaves like a one-broker topic (dense offsets from 0, per-partition order, retention) so the pipeline
 * runs the same code against it as against Kafka.
 */
export class InProcessBus {
  readonly name: string;
  readonly maxMessageBytes: number;
  private readonly logs: PartitionLog[];
  private readonly retain: number;
  private waiters = new Set<() => void>();

  constructor(name: string, options: BusOptions = {}) {
    this.name = name;
    const partitions = options.partitions ?? 4;
    if (!Number.isInteger(partitions) || partitions < 1)
      throw new RangeError('partitions must be a positive integer');
    this.logs = Array.from({ length: partitions }, () => new PartitionLog());
    this.retain = options.retainPerPartition ?? 2_000_000;
    this.maxMessageBytes = options.maxMessageBytes ?? 1_048_576;
  }

  get partitions(): number {
    return this.logs.length;
  }

  /** Appends one message and returns where it landed. */
  append(
    key: string | null,
    value: string | Uint8Array,
    timestampMs: number,
    partition?: number,
  ): { partition: number; offset: number } {
    const p = partition ?? (key === null ? 0 : partitionForKey(key, this.logs.length));
    const log = this.logs[p];
    if (!log) throw new RangeError(`partition ${p} does not exist (bus has ${this.logs.length})`);
    // Bytes as sent (a string is sent as its UTF-8); a string keeps its text unless it holds a lone
    // surrogate, which UTF-8 cannot carry (the pipeline then judges the replaced bytes).
    const bytes = typeof value === 'string' ? Buffer.from(value) : value;
    const text = typeof value === 'string' && !LONE_SURROGATE.test(value) ? value : undefined;
    log.messages.push({ key, bytes, text, timestampMs });
    const offset = log.end - 1;
    if (log.messages.length > this.retain * 1.25) {
      const drop = log.messages.length - this.retain;
      log.messages = log.messages.slice(drop);
      log.base += drop;
    }
    return { partition: p, offset };
  }

  /** Wakes everything waiting for data; call once after appending a batch. */
  notify(): void {
    const waiters = this.waiters;
    this.waiters = new Set();
    for (const wake of waiters) wake();
  }

  positions(): PartitionPosition[] {
    return this.logs.map((log, partition) => {
      const last = log.messages[log.messages.length - 1];
      return {
        partition,
        earliest: log.base,
        latest: log.end,
        ...(last ? { latestTimestampMs: last.timestampMs } : {}),
      };
    });
  }

  /** Messages of one partition in [from, to); throws if `from` was already trimmed (data loss). */
  read(partition: number, from: number, to: number): { offset: number; message: StoredMessage }[] {
    const log = this.logs[partition];
    if (!log) throw new RangeError(`partition ${partition} does not exist`);
    if (from < log.base) {
      throw new RangeError(
        `offsets ${from}..${log.base - 1} of partition ${partition} were trimmed by retention`,
      );
    }
    const end = Math.min(to, log.end);
    const out: { offset: number; message: StoredMessage }[] = [];
    for (let o = from; o < end; o++) out.push({ offset: o, message: log.messages[o - log.base]! });
    return out;
  }

  timestampAt(partition: number, offset: number): number | undefined {
    const log = this.logs[partition];
    if (!log || offset < log.base || offset >= log.end) return undefined;
    return log.messages[offset - log.base]?.timestampMs;
  }

  /** Resolves on the next `notify`, after `timeoutMs`, or when aborted. */
  waitForData(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, timeoutMs));
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }
}

const buses = new Map<string, InProcessBus>();

/** The process-wide bus of that name (created on first use), so a simulator and a pipeline in one process share it. */
export function getBus(name: string, options: BusOptions = {}): InProcessBus {
  let bus = buses.get(name);
  if (!bus) {
    bus = new InProcessBus(name, options);
    buses.set(name, bus);
  } else if (options.partitions !== undefined && options.partitions !== bus.partitions) {
    throw new RangeError(
      `bus ${name} already exists with ${bus.partitions} partitions, not ${options.partitions}`,
    );
  }
  return bus;
}

/** Forgets a named bus (tests). */
export function dropBus(name: string): void {
  buses.delete(name);
}
