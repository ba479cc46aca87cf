import type {
  LagProbe,
  OffsetRange,
  OutgoingMessage,
  PartitionPosition,
  SendReceipt,
  Sink,
  Source,
  SourceRecord,
} from '../types.js';
import { getBus, type BusOptions, type InProcessBus } from './in-process-bus.js';

export { getBus, dropBus, InProcessBus } from './in-process-bus.js';

export interface BusSpec extends BusOptions {
  /** @default 'orders' */
  name?: string;
}

function byteLength(value: string | Uint8Array): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : value.byteLength;
}

export class BusSink implements Sink {
  readonly kind = 'bus';
  readonly description: string;
  readonly capabilities;
  private readonly bus: InProcessBus;

  constructor(spec: BusSpec = {}) {
    this.bus = getBus(spec.name ?? 'orders', spec);
    this.description = `in-process bus "${this.bus.name}" (${this.bus.partitions} partitions)`;
    this.capabilities = {
      maxMessageBytes: this.bus.maxMessageBytes,
      maxInFlight: 1,
      preferredBatchSize: 500,
      durable: false,
    } as const;
  }

  async open(): Promise<void> {}

  async send(batch: readonly OutgoingMessage[]): Promise<SendReceipt> {
    const started = performance.now();
    const rejections: { index: number; reason: string }[] = [];
    let acked = 0;
    const appendTime = Date.now();
    for (let i = 0; i < batch.length; i++) {
      const m = batch[i]!;
      const size = byteLength(m.value);
      if (size > this.bus.maxMessageBytes) {
        rejections.push({
          index: i,
          reason: `message of ${size} bytes exceeds the ${this.bus.maxMessageBytes}-byte limit`,
        });
        continue;
      }
      // Like a topic with message.timestamp.type=LogAppendTime: the record time is the real append time, so
      // lag in seconds is real time even when the simulator runs a fast simulated clock.
      this.bus.append(m.key, m.value, appendTime, m.partition);
      acked++;
    }
    this.bus.notify();
    return { acked, rejections, latencyMs: performance.now() - started, throttled: 0, retries: 0 };
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export class BusSource implements Source {
  readonly kind = 'bus';
  readonly id: string;
  readonly description: string;
  readonly capabilities = { denseOffsets: true, canWait: true, externalCommit: false } as const;
  private readonly bus: InProcessBus;

  constructor(spec: BusSpec = {}) {
    this.bus = getBus(spec.name ?? 'orders', spec);
    this.id = `bus:${this.bus.name}`;
    this.description = `in-process bus "${this.bus.name}" (${this.bus.partitions} partitions)`;
  }

  async open(): Promise<void> {}

  async positions(): Promise<PartitionPosition[]> {
    return this.bus.positions();
  }

  async timestampAt(partition: number, offset: number): Promise<number | undefined> {
    return this.bus.timestampAt(partition, offset);
  }

  async read(ranges: readonly OffsetRange[]): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    for (const range of ranges) {
      for (const { offset, message } of this.bus.read(range.partition, range.from, range.to)) {
        out.push({
          topic: this.bus.name,
          partition: range.partition,
          offset,
          key: message.key,
          value: message.bytes,
          ...(message.text === undefined ? {} : { text: message.text }),
          timestampMs: message.timestampMs,
          timestampType: 'LogAppendTime',
        });
      }
    }
    return out;
  }

  waitForData(timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return this.bus.waitForData(timeoutMs, signal);
  }

  async close(): Promise<void> {}
}

export function busProbe(spec: BusSpec = {}): LagProbe {
  return new BusSource(spec);
}
