import { open, type FileHandle } from 'node:fs/promises';
import { ExternalError } from '../../errors.js';
import type { OutgoingMessage, SendReceipt, Sink, SinkCapabilities } from '../types.js';

const NEWLINE = Buffer.from('\n');

/**
 * One NDJSON chunk for a batch: each value followed by a newline. Text batches become one string (one
 * UTF-8 encode); a batch with binary values (injected malformed bytes) is concatenated as bytes.
 */
export function ndjsonChunk(batch: readonly OutgoingMessage[]): string | Buffer {
  let binary = false;
  for (const m of batch) if (typeof m.value !== 'string') binary = true;
  if (!binary) {
    let text = '';
    for (const m of batch) text += `${m.value as string}\n`;
    return text;
  }
  const parts: Uint8Array[] = [];
  for (const m of batch) parts.push(typeof m.value === 'string' ? Buffer.from(m.value) : m.value, NEWLINE);
  return Buffer.concat(parts);
}

interface Waiter {
  chunk: string | Buffer;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface FileSinkOptions {
  path: string;
  /** Append instead of truncating. @default false */
  append?: boolean;
}

/**
 * Writes NDJSON to a file. Sends that arrive while a write is running are coalesced into the next write
 * (buffered, few syscalls), and a send resolves only after its bytes were written to the file: acks are
 * honest. Order is kept: bytes land in the order `send` was called. `close` fsyncs a regular file.
 */
export class FileSink implements Sink {
  readonly kind = 'file';
  readonly description: string;
  readonly capabilities: SinkCapabilities = {
    maxMessageBytes: undefined,
    maxInFlight: 8,
    preferredBatchSize: 1000,
    durable: true,
  };
  private handle: FileHandle | undefined;
  private pending: Waiter[] = [];
  private writing: Promise<void> | undefined;
  private failure: unknown;

  constructor(private readonly options: FileSinkOptions) {
    this.description = `file ${options.path}`;
  }

  async open(): Promise<void> {
    try {
      this.handle = await open(this.options.path, this.options.append ? 'a' : 'w');
    } catch (error) {
      throw new ExternalError(`cannot open ${this.options.path} for writing`, {
        cause: error,
        hint: 'check --out: the directory must exist and be writable',
      });
    }
  }

  send(batch: readonly OutgoingMessage[]): Promise<SendReceipt> {
    const started = performance.now();
    if (batch.length === 0) return Promise.resolve(receipt(0, started));
    return new Promise<void>((resolve, reject) => {
      if (this.failure !== undefined) return reject(this.failure);
      if (this.handle === undefined) return reject(new ExternalError('file sink used before open()'));
      this.pending.push({ chunk: ndjsonChunk(batch), resolve, reject });
      this.writing ??= this.drain();
    }).then(() => receipt(batch.length, started));
  }

  private async drain(): Promise<void> {
    while (this.pending.length > 0) {
      const waiters = this.pending;
      this.pending = [];
      try {
        const chunks = waiters.map((w) => (typeof w.chunk === 'string' ? Buffer.from(w.chunk) : w.chunk));
        await this.writeAll(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
        for (const w of waiters) w.resolve();
      } catch (error) {
        this.failure = new ExternalError(`writing ${this.options.path} failed`, { cause: error });
        for (const w of [...waiters, ...this.pending]) w.reject(this.failure);
        this.pending = [];
      }
    }
    this.writing = undefined;
  }

  private async writeAll(buffer: Buffer): Promise<void> {
    let offset = 0;
    while (offset < buffer.length) {
      const { bytesWritten } = await this.handle!.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
    }
  }

  async flush(): Promise<void> {
    while (this.writing !== undefined) await this.writing;
    if (this.failure !== undefined) throw this.failure;
  }

  async close(): Promise<void> {
    if (this.handle === undefined) return;
    try {
      await this.flush();
      // Only a regular file can be synced: /dev/null, a terminal or a pipe answers fsync with EINVAL.
      if ((await this.handle.stat()).isFile()) await this.handle.sync();
    } finally {
      await this.handle.close();
      this.handle = undefined;
    }
  }
}

function receipt(acked: number, started: number): SendReceipt {
  return { acked, rejections: [], latencyMs: performance.now() - started, throttled: 0, retries: 0 };
}
