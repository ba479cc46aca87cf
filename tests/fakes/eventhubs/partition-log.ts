import type { EventPositionFilter } from './selector-filter.js';

/** One event as the service stores it: the producer's AMQP message plus what the broker stamped on it. */
export interface StoredEvent {
  readonly sequenceNumber: number;
  /** Byte position of the event in the partition's stream, as Event Hubs reports it (a decimal string on the wire). */
  readonly offset: number;
  readonly enqueuedTimeMs: number;
  readonly partitionKey: string | undefined;
  /** The event's own AMQP message as the producer encoded it (one data section of the batch). */
  readonly encoded: Buffer;
}

/**
 * One partition's append-only log. Sequence numbers start at 0 and grow by one per event; offsets grow by the
 * encoded size, so both are monotonic like the service's.
 */
export class PartitionLog {
  readonly id: string;
  private events: StoredEvent[] = [];
  /** Sequence number of events[0]: grows when retention removes old events. */
  private base = 0;
  private nextOffset = 0;
  private readonly listeners = new Set<() => void>();

  constructor(id: string) {
    this.id = id;
  }

  /** The next sequence number: one past the last event ever enqueued. */
  get length(): number {
    return this.base + this.events.length;
  }

  /** First sequence number still held. */
  get begin(): number {
    return this.base;
  }

  at(sequenceNumber: number): StoredEvent | undefined {
    return sequenceNumber < this.base ? undefined : this.events[sequenceNumber - this.base];
  }

  /** Removes the oldest events as retention would, keeping the last `keep`. */
  expire(keep: number): void {
    const drop = Math.max(0, this.events.length - keep);
    this.events = this.events.slice(drop);
    this.base += drop;
  }

  append(encoded: Buffer, partitionKey: string | undefined, enqueuedTimeMs: number): StoredEvent {
    const last = this.events[this.events.length - 1];
    // Enqueued time never goes backwards within a partition, even if the host clock does.
    const time = last ? Math.max(last.enqueuedTimeMs, enqueuedTimeMs) : enqueuedTimeMs;
    const event: StoredEvent = {
      sequenceNumber: this.length,
      offset: this.nextOffset,
      enqueuedTimeMs: time,
      partitionKey,
      encoded,
    };
    this.events.push(event);
    this.nextOffset += encoded.length;
    return event;
  }

  /** Tells waiting receivers that events were appended. */
  notify(): void {
    for (const listener of this.listeners) listener();
  }

  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** What `$management` READ of a partition returns (field names of the wire map). */
  properties(): {
    begin_sequence_number: number;
    last_enqueued_sequence_number: number;
    last_enqueued_offset: string;
    last_enqueued_time_utc: Date;
    is_partition_empty: boolean;
  } {
    const last = this.events[this.events.length - 1];
    return {
      begin_sequence_number: this.base,
      last_enqueued_sequence_number: this.length - 1,
      last_enqueued_offset: last ? String(last.offset) : '-1',
      last_enqueued_time_utc: new Date(last ? last.enqueuedTimeMs : 0),
      is_partition_empty: this.events.length === 0,
    };
  }

  /** Sequence number of the first event a receiver attached with this filter gets (never before `begin`). */
  startIndex(filter: EventPositionFilter): number {
    switch (filter.kind) {
      case 'sequence-number': {
        const first = filter.inclusive ? filter.value : filter.value + 1;
        return Math.min(Math.max(first, this.base), this.length);
      }
      case 'offset': {
        if (filter.value === 'latest') return this.length;
        const target = filter.value;
        return this.firstIndex((e) => (filter.inclusive ? e.offset >= target : e.offset > target));
      }
      case 'enqueued-time': {
        const target = filter.value;
        return this.firstIndex((e) =>
          filter.inclusive ? e.enqueuedTimeMs >= target : e.enqueuedTimeMs > target,
        );
      }
    }
  }

  /** Binary search for the first event satisfying a predicate that is monotonic along the log. */
  private firstIndex(satisfies: (event: StoredEvent) => boolean): number {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (satisfies(this.events[mid]!)) hi = mid;
      else lo = mid + 1;
    }
    return this.base + lo;
  }
}
