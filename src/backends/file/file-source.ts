import { isAscii } from 'node:buffer';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { DataIntegrityError, ExternalError } from '../../errors.js';
import type { OffsetRange, PartitionOffsets, PartitionPosition, Source, SourceRecord } from '../types.js';

const NEWLINE = 0x0a;
const SCAN_CHUNK = 1 << 20;
/** Ranges are read (and decoded) through a buffer of at most this size; longer lines grow it. */
const READ_CHUNK = 16 << 20;
/** The largest read buffer kept for the next batch (a buffer grown for a huge line is dropped). */
const MAX_KEPT_BUFFER = 64 << 20;

export interface FileSourceOptions {
  /** The NDJSON file; read from byte offsets and tailed while it grows. */
  path: string;
  /** Clock for record timestamps (the time a line was read). @default Date.now */
  now?: () => number;
  /** The read buffer's size: ranges are streamed through it, never held whole. @default 16 MiB */
  readChunkBytes?: number;
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
  private readonly readChunk: number;
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
    this.readChunk = Math.max(1, options.readChunkBytes ?? READ_CHUNK);
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

  /**
   * Scans what the file gained since the last scan. Safe for concurrent callers (the engine and a status
   * endpoint poll it at once): each call scans with its own local state and publishes it only if it got
   * further, so the shared `scanned`/`completeEnd` pair always describes one consistent scan.
   */
  async positions(): Promise<PartitionPosition[]> {
    const info = await stat(this.path);
    let scanned = this.scanned;
    let completeEnd = this.completeEnd;
    if (info.size < scanned) {
      throw new DataIntegrityError(
        `source file ${this.path} shrank from ${scanned} to ${info.size} bytes: offsets no longer match`,
        { hint: 'a file source must only grow; use a new checkpoint for a new file' },
      );
    }
    const buffer =
      scanned < info.size ? Buffer.allocUnsafe(Math.min(SCAN_CHUNK, info.size - scanned)) : undefined;
    while (buffer && scanned < info.size) {
      const length = Math.min(buffer.length, info.size - scanned);
      const { bytesRead } = await this.file().read(buffer, 0, length, scanned);
      if (bytesRead === 0) break;
      const last = buffer.lastIndexOf(NEWLINE, bytesRead - 1);
      if (last >= 0) completeEnd = scanned + last + 1;
      scanned += bytesRead;
    }
    if (scanned > this.scanned) {
      this.scanned = scanned;
      this.completeEnd = completeEnd;
    }
    return [{ partition: 0, earliest: 0, latest: this.completeEnd, latestTimestampMs: info.mtimeMs }];
  }

  /** Refuses an end offset that is not a record boundary (a line end, or 0) of the file as it is now. */
  async checkEnd(end: PartitionOffsets): Promise<void> {
    for (const [partition, offset] of Object.entries(end)) {
      this.checkPartition(Number(partition));
      if (offset === 0) continue;
      const probe = Buffer.alloc(1);
      const { bytesRead } = await this.file().read(probe, 0, 1, offset - 1);
      if (bytesRead !== 1 || probe[0] !== NEWLINE) {
        throw new DataIntegrityError(
          `refusing to log end offset ${offset} of ${this.path}: it is not the end of a line`,
          { hint: 'a bug planned this batch; nothing was logged, the next start plans it again' },
        );
      }
    }
  }

  async offsetAfter(
    partition: number,
    from: number,
    count: number,
    limit: number,
    maxBytes = Number.POSITIVE_INFINITY,
  ): Promise<number> {
    this.checkPartition(partition);
    const byteCap = Math.min(limit, from + maxBytes);
    const buffer = Buffer.allocUnsafe(Math.max(1, Math.min(SCAN_CHUNK, limit - from)));
    let position = from;
    let remaining = count;
    let lastEnd = from;
    while (position < limit && remaining > 0) {
      const length = Math.min(buffer.length, limit - position);
      const { bytesRead } = await this.file().read(buffer, 0, length, position);
      if (bytesRead === 0) break;
      let index = 0;
      while (remaining > 0) {
        const nl = buffer.indexOf(NEWLINE, index);
        if (nl < 0 || nl >= bytesRead) break;
        const end = position + nl + 1;
        // Past the byte budget: stop at the last line that fitted (the first line is always taken).
        if (end > byteCap && lastEnd > from) return lastEnd;
        lastEnd = end;
        remaining--;
        index = nl + 1;
      }
      if (remaining === 0) return lastEnd;
      position += bytesRead;
    }
    return lastEnd > from ? lastEnd : limit;
  }

  async read(ranges: readonly OffsetRange[]): Promise<SourceRecord[]> {
    const out: SourceRecord[] = [];
    const readAt = this.now();
    for (const range of ranges) {
      this.checkPartition(range.partition);
      if (range.to <= range.from) continue;
      await this.checkLineStart(range.from);
      await this.readRange(range, readAt, out);
    }
    return out;
  }

  /**
   * Reads one range's lines into `out`, streaming it through a bounded buffer: a range of any size (even one
   * logged before batches were bounded by bytes) is never held or decoded whole.
   */
  private async readRange(range: OffsetRange, readAt: number, out: SourceRecord[]): Promise<void> {
    const length = range.to - range.from;
    let buffer = this.takeBuffer(Math.min(length, this.readChunk));
    /** Bytes at the start of `buffer` that are an incomplete line carried over from the last read. */
    let carry = 0;
    let position = range.from;
    let lineStart = range.from;
    try {
      while (position < range.to) {
        if (carry === buffer.length) {
          // One line longer than the buffer: grow it to hold the line.
          const bigger = Buffer.allocUnsafe(Math.min(length, buffer.length * 2));
          buffer.copy(bigger, 0, 0, carry);
          buffer = bigger;
        }
        const want = Math.min(buffer.length - carry, range.to - position);
        const { bytesRead } = await this.file().read(buffer, carry, want, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const filled = carry + bytesRead;
        const last = buffer.lastIndexOf(NEWLINE, filled - 1);
        if (last < 0) {
          carry = filled;
          continue;
        }
        this.decodeLines(buffer, last + 1, lineStart, readAt, out);
        carry = filled - (last + 1);
        if (carry > 0) buffer.copy(buffer, 0, last + 1, filled);
        lineStart += last + 1;
      }
    } finally {
      if (buffer.length <= MAX_KEPT_BUFFER) this.readBuffer = buffer;
    }
    if (position < range.to || carry > 0) {
      throw new DataIntegrityError(
        `source file ${this.path} has no complete line ending at byte ${range.to} (read ${position - range.from} of ${length} bytes)`,
        {
          hint: 'if the file was truncated or replaced it no longer matches the checkpoint; if it is intact, the last uncommitted batch logged a bad end: `brewline pipeline reset-uncommitted` drops it so it is planned again',
        },
      );
    }
  }

  /** Decodes the complete lines in `buffer[0, length)` (which ends with a newline) starting at file `offset`. */
  private decodeLines(
    buffer: Buffer,
    length: number,
    offset: number,
    readAt: number,
    out: SourceRecord[],
  ): void {
    // The read buffer is reused: one copy of the chunk, and every record's bytes are a view into it.
    const bytes = Buffer.from(buffer.subarray(0, length));
    if (isAscii(bytes)) {
      // The usual case: one decode per chunk, then slices of it. In ASCII one byte is one character, so
      // string positions are byte offsets (and decoding as latin1 is exact and cheapest).
      const text = bytes.toString('latin1');
      let begin = 0;
      while (begin < length) {
        const nl = text.indexOf('\n', begin);
        out.push(
          fileRecord(this.topic, offset + begin, bytes.subarray(begin, nl), text.slice(begin, nl), readAt),
        );
        begin = nl + 1;
      }
      return;
    }
    let start = 0;
    while (start < length) {
      const nl = bytes.indexOf(NEWLINE, start);
      // Exact bytes, not decoded here: the pipeline checks their UTF-8 (invalid → quarantine, rule utf8).
      out.push(fileRecord(this.topic, offset + start, bytes.subarray(start, nl), undefined, readAt));
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
function fileRecord(
  topic: string,
  offset: number,
  value: Uint8Array,
  text: string | undefined,
  readAt: number,
): SourceRecord {
  return {
    topic,
    partition: 0,
    offset,
    key: null,
    value,
    text,
    timestampMs: readAt,
    timestampType: 'IngestTime',
  };
}
