import type { OutgoingMessage, SendReceipt, Sink, SinkCapabilities } from '../types.js';

/**
 * Acknowledges everything at once and keeps only counts (messages and UTF-8 bytes): the benchmark's sink,
 * measuring what generating and serialising cost without any I/O.
 */
export class NullSink implements Sink {
  readonly kind = 'null';
  readonly description = 'null (discards everything)';
  readonly capabilities: SinkCapabilities = {
    maxMessageBytes: undefined,
    maxInFlight: 1,
    preferredBatchSize: 1000,
    durable: false,
  };
  /** Messages and bytes received. */
  messages = 0;
  bytes = 0;

  async open(): Promise<void> {}

  async send(batch: readonly OutgoingMessage[]): Promise<SendReceipt> {
    const started = performance.now();
    // Counting UTF-8 bytes flattens each string, as any real sink's encoding would: nothing is left lazy.
    for (const m of batch)
      this.bytes += typeof m.value === 'string' ? Buffer.byteLength(m.value) : m.value.byteLength;
    this.messages += batch.length;
    return {
      acked: batch.length,
      rejections: [],
      latencyMs: performance.now() - started,
      throttled: 0,
      retries: 0,
    };
  }

  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
