import type { OutgoingMessage, SendReceipt, Sink, SinkCapabilities } from '../../../src/backends/types.js';

/** A test sink that keeps every acknowledged message; optionally holds sends until released, or fails. */
export class MemorySink implements Sink {
  readonly kind = 'memory';
  readonly description = 'memory';
  readonly capabilities: SinkCapabilities;
  readonly received: OutgoingMessage[] = [];
  outstanding = 0;
  maxOutstanding = 0;
  sends = 0;
  opened = false;
  closed = false;
  private held: (() => void)[] = [];

  constructor(
    caps: Partial<SinkCapabilities> = {},
    private readonly behaviour: {
      hold?: boolean;
      failOnSend?: number;
      latencyMs?: number;
      rejectAbove?: number;
    } = {},
  ) {
    this.capabilities = {
      maxMessageBytes: caps.maxMessageBytes,
      maxInFlight: caps.maxInFlight ?? 1,
      preferredBatchSize: caps.preferredBatchSize ?? 100,
      durable: false,
    };
  }

  async open(): Promise<void> {
    this.opened = true;
  }

  async send(batch: readonly OutgoingMessage[]): Promise<SendReceipt> {
    this.sends++;
    const n = this.sends;
    this.outstanding++;
    this.maxOutstanding = Math.max(this.maxOutstanding, this.outstanding);
    const copy = [...batch];
    if (this.behaviour.hold) await new Promise<void>((resolve) => this.held.push(resolve));
    this.outstanding--;
    if (this.behaviour.failOnSend === n) throw new Error('broker went away');
    const rejections: { index: number; reason: string }[] = [];
    copy.forEach((m, index) => {
      const size = typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.byteLength;
      if (this.behaviour.rejectAbove !== undefined && size > this.behaviour.rejectAbove)
        rejections.push({ index, reason: 'too large' });
      else this.received.push(m);
    });
    return {
      acked: copy.length - rejections.length,
      rejections,
      latencyMs: this.behaviour.latencyMs ?? 1,
      throttled: 0,
      retries: 0,
    };
  }

  /** Lets every held send complete. */
  release(): number {
    const held = this.held;
    this.held = [];
    for (const r of held) r();
    return held.length;
  }

  get heldCount(): number {
    return this.held.length;
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {
    this.closed = true;
  }

  /** Received values as text lines. */
  lines(): string[] {
    const decoder = new TextDecoder();
    return this.received.map((m) => (typeof m.value === 'string' ? m.value : decoder.decode(m.value)));
  }
}
