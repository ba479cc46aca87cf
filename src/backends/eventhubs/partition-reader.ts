import type { EventHubConsumerClient, ReceivedEventData, Subscription } from '@azure/event-hubs';

/** What a reader hands back: the SDK event reduced to what bronze keeps. */
export interface PartitionEvent {
  readonly sequenceNumber: number;
  readonly offset: string;
  readonly enqueuedTimeMs: number;
  readonly partitionKey: string | null;
  readonly body: Uint8Array;
}

export interface PartitionReaderOptions {
  /** Events per receive call. @default 500 */
  receiveBatchSize?: number;
  /** Events buffered ahead of the pipeline before the reader stops asking for more. @default 5_000 */
  highWater?: number;
}

/**
 * Reads one partition forward from a sequence number with an `EventHubConsumerClient` subscription and keeps
 * what arrives in a bounded buffer, so consecutive micro-batches (`[from, to)`, `[to, …)`) reuse one AMQP
 * link. A read that does not continue where the buffer stands (a re-run batch after a restart, a rewind)
 * restarts the subscription at exactly `from`: the engine's checkpoint decides, never the broker.
 */
export class PartitionReader {
  private subscription: Subscription | undefined;
  private buffer: PartitionEvent[] = [];
  /** Sequence number of the next event the subscription will add to the buffer. */
  private expected = 0;
  /** Exclusive end of the range the current read needs; the buffer may grow past highWater up to it. */
  private demandUntil = 0;
  private waiters = new Set<() => void>();
  private roomWaiters = new Set<() => void>();
  private failure: unknown;
  private generation = 0;
  private readonly receiveBatchSize: number;
  private readonly highWater: number;

  constructor(
    private readonly client: EventHubConsumerClient,
    readonly partitionId: string,
    options: PartitionReaderOptions = {},
  ) {
    this.receiveBatchSize = options.receiveBatchSize ?? 500;
    this.highWater = options.highWater ?? 5_000;
  }

  /** Sequence number the buffer continues from: where an uninterrupted read would start. */
  private get position(): number {
    return this.buffer.length > 0 ? this.buffer[0]!.sequenceNumber : this.expected;
  }

  /**
   * Every event with `from <= sequenceNumber < to`, in order. Waits for them to arrive (they exist: `to`
   * came from the partition's last enqueued sequence number); fails after `timeoutMs` or on a fatal error.
   */
  async read(from: number, to: number, timeoutMs: number, signal?: AbortSignal): Promise<PartitionEvent[]> {
    if (to <= from) return [];
    if (this.subscription === undefined || this.position !== from || this.failure !== undefined) {
      await this.restart(from);
    }
    this.demandUntil = to;
    this.wakeRoom();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.failure !== undefined) throw this.failure;
      const last = this.buffer[this.buffer.length - 1];
      if (last && last.sequenceNumber >= to - 1) break;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `timed out after ${timeoutMs} ms waiting for sequence numbers ${from}..${to - 1} of partition ${this.partitionId} (got up to ${last?.sequenceNumber ?? from - 1})`,
        );
      }
      if (signal?.aborted) throw signal.reason;
      await this.nextArrival(Math.min(left, 1_000), signal);
    }
    const end = this.buffer.findIndex((e) => e.sequenceNumber >= to);
    const taken = end < 0 ? this.buffer : this.buffer.slice(0, end);
    this.buffer = end < 0 ? [] : this.buffer.slice(end);
    this.wakeRoom();
    return taken;
  }

  async close(): Promise<void> {
    await this.stop();
  }

  private async restart(from: number): Promise<void> {
    await this.stop();
    this.failure = undefined;
    this.buffer = [];
    this.expected = from;
    const generation = ++this.generation;
    this.subscription = this.client.subscribe(
      this.partitionId,
      {
        processEvents: async (events) => {
          if (generation !== this.generation) return;
          this.accept(events);
          // Backpressure: stop pulling (the SDK waits for this promise) while the buffer is full and already
          // covers what a read asked for — never while a read still waits for events (ranges may be large).
          while (
            this.buffer.length >= this.highWater &&
            this.expected >= this.demandUntil &&
            generation === this.generation
          ) {
            await new Promise<void>((resolve) => this.roomWaiters.add(resolve));
          }
        },
        processError: async (error) => {
          if (generation !== this.generation) return;
          // The SDK re-attaches by itself after retryable errors (a dropped connection); only the others stop us.
          const retryable = (error as { retryable?: unknown }).retryable;
          if (retryable === false) {
            this.failure = error;
            this.wake();
          }
        },
      },
      {
        startPosition: { sequenceNumber: from, isInclusive: true },
        maxBatchSize: this.receiveBatchSize,
        maxWaitTimeInSeconds: 1,
        skipParsingBodyAsJson: true,
        prefetchCount: this.receiveBatchSize * 2,
      },
    );
  }

  private accept(events: ReceivedEventData[]): void {
    for (const event of events) {
      const sequenceNumber = Number(event.sequenceNumber);
      // After a re-attach the SDK resumes after the last event it saw; anything older is a repeat.
      if (sequenceNumber < this.expected) continue;
      if (sequenceNumber > this.expected) {
        // The service starts at the oldest event it still has: the ones before it are gone.
        this.failure = new Error(
          `sequence numbers ${this.expected}..${sequenceNumber - 1} of partition ${this.partitionId} are no longer available (removed by the hub's retention)`,
        );
        this.wake();
        return;
      }
      this.buffer.push({
        sequenceNumber,
        offset: String(event.offset),
        enqueuedTimeMs: event.enqueuedTimeUtc.getTime(),
        partitionKey: event.partitionKey ?? keyProperty(event.properties),
        body: toBytes(event.body),
      });
      this.expected = sequenceNumber + 1;
    }
    if (events.length > 0) this.wake();
  }

  private async stop(): Promise<void> {
    this.generation++;
    const subscription = this.subscription;
    this.subscription = undefined;
    this.wakeRoom();
    await subscription?.close().catch(() => undefined);
  }

  private nextArrival(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.waiters.add(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  private wake(): void {
    for (const wake of [...this.waiters]) wake();
  }

  private wakeRoom(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = new Set();
    for (const wake of waiters) wake();
  }
}

/** The key brewline's sink sends as a property when it targets a partition id (`brewline-key`). */
function keyProperty(properties: Record<string, unknown> | undefined): string | null {
  const key = properties?.['brewline-key'];
  return typeof key === 'string' ? key : null;
}

function toBytes(body: unknown): Uint8Array {
  if (body instanceof Uint8Array) return body;
  if (typeof body === 'string') return new TextEncoder().encode(body);
  // A producer outside brewline may send an AMQP value body; keep it as JSON text rather than drop it.
  return new TextEncoder().encode(JSON.stringify(body) ?? '');
}
