import type { Writable } from 'node:stream';
import { ExternalError } from '../../errors.js';
import { ndjsonChunk } from '../file/file-sink.js';
import type { OutgoingMessage, SendReceipt, Sink, SinkCapabilities } from '../types.js';

/**
 * Writes NDJSON to standard output (or any writable stream), one message per line. A send resolves when
 * the stream has flushed its chunk, so a slow reader (`| pv`, a pipe to another tool) slows the producer
 * instead of filling memory. A closed pipe (`| head`) ends the run with a clear error.
 */
export class StdoutSink implements Sink {
  readonly kind = 'stdout';
  readonly description: string;
  readonly capabilities: SinkCapabilities = {
    maxMessageBytes: undefined,
    maxInFlight: 4,
    preferredBatchSize: 500,
    durable: false,
  };
  private failure: unknown;
  private last: Promise<unknown> = Promise.resolve();

  constructor(private readonly out: Writable = process.stdout) {
    this.description = out === process.stdout ? 'stdout' : 'stream';
  }

  async open(): Promise<void> {
    this.out.on('error', (error: NodeJS.ErrnoException) => {
      this.failure = writeError(error);
    });
  }

  send(batch: readonly OutgoingMessage[]): Promise<SendReceipt> {
    const started = performance.now();
    const done = new Promise<SendReceipt>((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      if (batch.length === 0) return resolve(receipt(0, started));
      this.out.write(ndjsonChunk(batch), (error) => {
        if (error) reject(this.failure ?? writeError(error));
        else resolve(receipt(batch.length, started));
      });
    });
    this.last = done.catch(() => undefined);
    return done;
  }

  async flush(): Promise<void> {
    await this.last;
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    await this.flush();
  }
}

function writeError(error: NodeJS.ErrnoException): ExternalError {
  return new ExternalError(
    error.code === 'EPIPE' ? 'standard output was closed by the reader' : 'writing standard output failed',
    { cause: error },
  );
}

function receipt(acked: number, started: number): SendReceipt {
  return { acked, rejections: [], latencyMs: performance.now() - started, throttled: 0, retries: 0 };
}
