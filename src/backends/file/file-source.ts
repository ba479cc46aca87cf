import { isAscii } from 'node:buffer';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { DataIntegrityError, ExternalError } from '../../errors.js';
import type { OffsetRange, PartitionPosition, Source, SourceRecord } from '../types.js';

const NEWLINE = 0x0a;
const SCAN_CHUNK = 1 << 20;
/** The largest read buffer kept for the next batch (bigger ranges allocate and drop their own). */
const MAX_KEPT_BUFFER = 64 << 20;

export interface FileSourceOptions {
  /** The NDJSON file; read from byte offsets and tailed while it grows. */
  path: string;
  /** Clock for record timestamps (the time a line was read). @default Date.now */
  now?: () => number;
}

/**
 * An NDJSON file as a one-partition source whose offsets are the byte offsets of line starts. Only complete
 * lines (ending in "\n") exist for the engine, so a writer caught mid-line is never half-read; a growing
 * file is tailed by re-reading its size on every `positions()`.
 */
export class FileSource implements Source {
  readonly kind = 'file';
  readonly id: string;
  readonly description: string;
  readonly capabilities = { denseOffsets: false, canWait: false, externalCommit: false } as const;
  private readonly path: string;
  private readonly topic: string;
  private readonly now: () => number;
  private handle: FileHandle | undefined;
  /** Bytes already scanned for newlines, and the end of the last complete line among them. */
  private scanned = 0;
  private completeEnd = 0;
  /**
   * The read buffer, kept between batches: every record is decoded (copied) out of it before `read`
   * returns, and reusing it spares a fresh multi-megabyte allocation (and its page faults) per batch.
   */
  private readBuffer: Buffer | undefined;

  constructor(options: FileSourceOptions) {
    this.path = resolve(options.path);
    this.topic = basename(this.path);
    this.now = options.now ?? Date.now;
    this.id = `file:${this.path}`;
    this.description = `NDJSON file ${this.path}`;
  }

  async open(): Promise<void> {
    if (this.handle) return;
    try {
      this.handle = await open(this.path, 'r');
    } catch (error) {
      throw new ExternalError(`cannot open source file ${this.path}`, {
        cause: error,
        hint: 'check the path given to --source file:PATH',
      });
    }
  }

  private file(): FileHandle {
    if (!this.handle) throw new ExternalError(`source file ${this.path} is not open`);
    return this.handle;
  }

  async positions(): Promise<PartitionPosition[]> {
    const info = await stat(this.path);
    if (info.size < this.scanned) {
      throw new DataIntegrityError(
        `source file ${this.path} shrank from ${this.scanned} to ${info.size} bytes: offsets no longer match`,
        { hint: 'a file source must only grow; use a new checkpoint for a new file' },
      );
    }
    const buffer = Buffer.allocUnsafe(SCAN_CHUNK);
    while (this.scanned < info.size) {
      const length = Math.min(SCAN_CHUNK, info.size - this.scanned);
      const { bytesRead } = await this.file().read(buffer, 0, length, this.scanned);
      if (bytesRead === 0) break;
      const last = buffer.lastIndexOf(NEWLINE, bytesRead - 1);
      if (last >= 0) this.completeEnd = this.scanned + last + 1;
      this.scanned += bytesRead;
    }
    return [{ partition: 0, earliest: 0, latest: this.completeEnd, latestTimestampMs: info.mtimeMs }];
  }

  async offsetAfter(partition: number, from: number, count: number, limit: number): Promise<number> {
    this.checkPartition(partition);
    const buffer = Buffer.allocUnsafe(SCAN_CHUNK);
    let position = from;
    let remaining = count;
    while (position < limit && remaining > 0) {
      const length = Math.min(SCAN_CHUNK, limit - position);
      const { bytesRead } = await this.file().read(buffer, 0, length, position);
      if (bytesRead === 0) break;
      let index = 0;
      while (remaining > 0) {
        const nl = buffer.indexOf(NEWLINE, index);
        if (nl < 0 || nl >= bytesRead) break;
        remaining--;
        index = nl + 1;
      }
      if (remaining === 0) return position + index;
      position += bytesRead;
    }
    return limit;
  }

  async read(ranges: readonly OffsetRange[]): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    const readAt = this.now();
    for (const range of ranges) {
      this.checkPartition(range.partition);
      if (range.to <= range.from) continue;
      await this.checkLineStart(range.from);
      const length = range.to - range.from;
      const buffer = this.takeBuffer(length);
      try {
        await this.readRange(buffer, range, length, readAt, out);
      } finally {
        if (buffer.length <= MAX_KEPT_BUFFER) this.readBuffer = buffer;
      }
    }
    return out;
  }

  /** Reads one range's complete lines into `out`. */
  private async readRange(
    buffer: Buffer,
    range: OffsetRange,
    length: number,
    readAt: number,
    out: SourceRecord[],
  ): Promise<void> {
    let filled = 0;
    while (filled < length) {
      const { bytesRead } = await this.file().read(buffer, filled, length - filled, range.from + filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled < length || buffer[length - 1] !== NEWLINE) {
      throw new DataIntegrityError(
        `source file ${this.path} has no complete line ending at byte ${range.to} (read ${filled} of ${length} bytes)`,
        { hint: 'the file was truncated or replaced; it does not match the checkpoint' },
      );
    }
    const offset = range.from;
    if (isAscii(buffer.subarray(0, length))) {
      // The usual case: one decode for the whole range, then slices of it. In ASCII one byte is one
      // character, so string positions are byte offsets (and decoding as latin1 is exact and cheapest).
      const text = buffer.toString('latin1', 0, length);
      let begin = 0;
      while (begin < length) {
        const nl = text.indexOf('\n', begin);
        out.push(fileRecord(this.topic, offset + begin, text.slice(begin, nl), readAt));
        begin = nl + 1;
      }
      return;
    }
    let start = 0;
    while (start < length) {
      const nl = buffer.indexOf(NEWLINE, start);
      // Invalid UTF-8 becomes U+FFFD (Buffer decoding is lossy, never throws): nothing is dropped.
      out.push(fileRecord(this.topic, offset + start, buffer.toString('utf8', start, nl), readAt));
      start = nl + 1;
    }
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = undefined;
    await handle?.close();
  }

  /** Takes the kept buffer (or a bigger one); a read running meanwhile finds none and allocates its own. */
  private takeBuffer(length: number): Buffer {
    const kept = this.readBuffer;
    this.readBuffer = undefined;
    return kept !== undefined && kept.length >= length ? kept : Buffer.allocUnsafe(length);
  }

  private checkPartition(partition: number): void {
    if (partition !== 0) throw new DataIntegrityError(`file source has one partition (0), not ${partition}`);
  }

  /** A range must start where a line starts: at 0 or right after a newline. */
  private async checkLineStart(offset: number): Promise<void> {
    if (offset === 0) return;
    const probe = Buffer.alloc(1);
    const { bytesRead } = await this.file().read(probe, 0, 1, offset - 1);
    if (bytesRead !== 1 || probe[0] !== NEWLINE) {
      throw new DataIntegrityError(`offset ${offset} is not the start of a line in ${this.path}`, {
        hint: 'the file was changed or replaced; it does not match the checkpoint',
      });
    }
  }
}

/** One record, always built in the same property order so every record shares one object shape. */
function fileRecord(topic: string, offset: number, value: string, readAt: number): SourceRecord {
  return {
    topic,
    partition: 0,
    offset,
    key: null,
    value,
    timestampMs: readAt,
    timestampType: 'IngestTime',
  };
}
