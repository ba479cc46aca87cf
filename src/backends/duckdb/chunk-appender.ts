import { endianness } from 'node:os';
import duckdb from '@duckdb/node-bindings';
import {
  DuckDBDataChunk,
  DuckDBDecimalType,
  DuckDBTypeId,
  type DuckDBAppender,
  type DuckDBType,
} from '@duckdb/node-api';
import { BugError } from '../../errors.js';

/**
 * How a VARCHAR column's values repeat within a chunk, so each distinct value is encoded once per chunk and
 * its other rows copy the first row's `duckdb_string_t`.
 * - `none`: nearly every value differs (raw messages): no bookkeeping.
 * - `runs`: repeats come in consecutive rows (an order's id on each of its lines).
 * - `any`: few distinct values anywhere in the chunk (branches, items, categories).
 */
export type Repeats = 'none' | 'runs' | 'any';

/** One column of the target table, in table order; checked against the appender's own types. */
export type ChunkColumn =
  | { readonly kind: 'varchar'; readonly repeats: Repeats; readonly nullable?: boolean }
  /** Exact bytes stored as BLOB (bronze's raw messages); laid out like VARCHAR, never decoded. */
  | { readonly kind: 'blob' }
  | { readonly kind: 'integer' }
  /** A safe JS integer stored as BIGINT. */
  | { readonly kind: 'bigint' }
  /** Epoch milliseconds stored as TIMESTAMP (microseconds). */
  | { readonly kind: 'timestamp' }
  /** An exact scaled integer (paisa for scale 2) stored as DECIMAL(width ≤ 18, scale): DuckDB's int64. */
  | { readonly kind: 'decimal'; readonly width: number; readonly scale: number };

/** `duckdb_string_t` (duckdb.h): u32 length, then ≤ 12 bytes inline, or a 4-byte prefix and a pointer. */
const STRING_T_BYTES = 16;
const INLINE_BYTES = 12;
const TWO_32 = 2 ** 32;
/** Which Int32 of an int64 pair (and of a validity uint64 word) holds the low half on this machine. */
const LITTLE_ENDIAN = endianness() === 'LE';
const LOW = LITTLE_ENDIAN ? 0 : 1;

interface Column {
  readonly spec: ChunkColumn;
  readonly vector: duckdb.Vector;
  /** int32 values, or int64 values as (low, high) word pairs. */
  readonly words: Int32Array<ArrayBuffer>;
  readonly bytesPerRow: number;
  readonly strings: (string | Uint8Array | null)[];
  /** A DECIMAL column's bound on |units|, exclusive: 10^width. */
  readonly limit: number;
}

/**
 * Appends rows to a DuckDB table through data chunks instead of one N-API call per value: numbers go into
 * typed arrays copied into each vector once per chunk (DECIMALs as their exact scaled int64, never text or
 * floats), and only the distinct strings of a chunk are handed over one call each. Each value is range-checked
 * as DuckDB's own appender would, since raw vector memory bypasses DuckDB's casts.
 *
 * Usage: `const r = w.row()` then set every column of row `r`; `close()` appends the rest and closes.
 */
export class ChunkAppender {
  private readonly appender: DuckDBAppender;
  private readonly columns: Column[];
  private readonly chunk: DuckDBDataChunk;
  private readonly capacity: number;
  /** (row, source row) pairs of string copies, reused across columns and chunks. */
  private readonly copies: Int32Array;
  /** (row, blob offset) of each string too long to inline. */
  private readonly pointers: Int32Array;
  /** One VARCHAR vector's `duckdb_string_t`s, built here and copied into the vector in one call. */
  private readonly structs: Buffer<ArrayBuffer>;
  private readonly structsView: DataView;
  /** The UTF-8 bytes of one vector's distinct long strings, handed to DuckDB in one call. */
  private blob: Buffer<ArrayBuffer> = Buffer.alloc(1 << 16);
  private readonly firstRow = new Map<string, number>();
  private count = 0;

  constructor(appender: DuckDBAppender, specs: readonly ChunkColumn[]) {
    this.appender = appender;
    const types: DuckDBType[] = [];
    for (let i = 0; i < appender.columnCount; i++) types.push(appender.columnType(i));
    if (types.length !== specs.length) {
      throw new BugError(`chunk appender: ${specs.length} columns given, the table has ${types.length}`);
    }
    this.capacity = duckdb.vector_size();
    this.chunk = DuckDBDataChunk.create(types);
    this.copies = new Int32Array(this.capacity * 2);
    this.pointers = new Int32Array(this.capacity * 2);
    this.structs = Buffer.alloc(this.capacity * STRING_T_BYTES);
    this.structsView = new DataView(this.structs.buffer, this.structs.byteOffset, this.structs.byteLength);
    this.columns = specs.map((spec, i) => {
      checkType(spec, types[i]!, i);
      const stringLike = spec.kind === 'varchar' || spec.kind === 'blob';
      const bytesPerRow = stringLike ? 0 : spec.kind === 'integer' ? 4 : 8;
      return {
        spec,
        vector: duckdb.data_chunk_get_vector(this.chunk.chunk, i),
        words: new Int32Array((this.capacity * bytesPerRow) / 4),
        bytesPerRow,
        strings: stringLike ? new Array<string | Uint8Array | null>(this.capacity).fill(null) : [],
        limit: spec.kind === 'decimal' ? 10 ** spec.width : 0,
      };
    });
  }

  /** Starts a row and returns its index in the current chunk (appending the chunk first when it is full). */
  row(): number {
    if (this.count === this.capacity) this.flush();
    return this.count++;
  }

  varchar(column: number, row: number, value: string | null): void {
    this.columns[column]!.strings[row] = value;
  }

  bytes(column: number, row: number, value: Uint8Array): void {
    this.columns[column]!.strings[row] = value;
  }

  integer(column: number, row: number, value: number): void {
    if ((value | 0) !== value) throw new RangeError(`${value} is not a 32-bit integer`);
    this.columns[column]!.words[row] = value;
  }

  bigint(column: number, row: number, value: number): void {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${value} is not a safe integer`);
    setInt64(this.columns[column]!.words, row, value);
  }

  /** A TIMESTAMP from epoch µs (exact: silver keeps an event's microseconds). */
  timestampMicros(column: number, row: number, epochMicros: number): void {
    if (!Number.isSafeInteger(epochMicros))
      throw new RangeError(`${epochMicros} µs is not a representable timestamp`);
    setInt64(this.columns[column]!.words, row, epochMicros);
  }

  timestamp(column: number, row: number, epochMs: number): void {
    const micros = Math.trunc(epochMs) * 1000;
    if (!Number.isSafeInteger(micros)) throw new RangeError(`${epochMs} ms is not a representable timestamp`);
    setInt64(this.columns[column]!.words, row, micros);
  }

  /** `units` of the column's scale: paisa for DECIMAL(…, 2). */
  decimal(column: number, row: number, units: number): void {
    const c = this.columns[column]!;
    if (!Number.isSafeInteger(units) || Math.abs(units) >= c.limit) {
      const spec = c.spec as { width: number; scale: number };
      throw new RangeError(
        `${units} (scale ${spec.scale}) does not fit DECIMAL(${spec.width},${spec.scale})`,
      );
    }
    setInt64(c.words, row, units);
  }

  /** Appends the rows still buffered and closes the appender (which moves them into the table). */
  close(): void {
    this.flush();
    this.appender.closeSync();
  }

  private flush(): void {
    const n = this.count;
    if (n === 0) return;
    this.chunk.rowCount = n;
    for (const c of this.columns) {
      if (c.spec.kind === 'varchar') this.writeStrings(c, c.spec.repeats, c.spec.nullable === true, n);
      else if (c.spec.kind === 'blob') this.writeStrings(c, 'none', false, n);
      else duckdb.copy_data_to_vector(c.vector, 0, c.words.buffer, 0, n * c.bytesPerRow);
    }
    this.appender.appendDataChunk(this.chunk);
    this.chunk.reset();
    this.count = 0;
  }

  /**
   * Writes a VARCHAR vector with at most one N-API call for its strings (instead of one per value): each
   * distinct string is UTF-8 encoded here, short ones (≤ 12 bytes) straight into their inline
   * `duckdb_string_t`, long ones into one blob that DuckDB copies into the vector's string heap; the long
   * strings' structs then point into that copy (its address read back from row 0, which the struct copy
   * overwrites). The heap lives until `chunk.reset()`, after the appender has copied the chunk.
   */
  private writeStrings(c: Column, repeats: Repeats, nullable: boolean, n: number): void {
    const { vector, strings } = c;
    const { copies, pointers, structs, structsView: view, firstRow } = this;
    firstRow.clear();
    let copied = 0;
    let longs = 0;
    let blobBytes = 0;
    let previous: string | Uint8Array | null = null;
    let previousRow = -1;
    let nulls: Int32Array<ArrayBuffer> | undefined;
    for (let r = 0; r < n; r++) {
      const value = strings[r]!;
      if (value === null) {
        if (!nullable) throw new RangeError('NULL in a NOT NULL chunk column');
        nulls ??= new Int32Array(Math.ceil(this.capacity / 32)).fill(-1);
        const word = ((r >>> 6) << 1) | (((r >>> 5) & 1) ^ LOW);
        nulls[word] = nulls[word]! & ~(1 << (r & 31));
        structs.fill(0, r * STRING_T_BYTES, (r + 1) * STRING_T_BYTES);
        continue;
      }
      if (repeats !== 'none') {
        if (value === previous) {
          copies[copied++] = r;
          copies[copied++] = previousRow;
          continue;
        }
        previous = value;
        if (repeats === 'any') {
          const first = typeof value === 'string' ? firstRow.get(value) : undefined;
          if (first !== undefined) {
            previousRow = first;
            copies[copied++] = r;
            copies[copied++] = first;
            continue;
          }
          if (typeof value === 'string') firstRow.set(value, r);
        }
        previousRow = r;
      }
      let bytes: number;
      if (typeof value === 'string') {
        // UTF-8 takes at most 3 bytes per UTF-16 unit; Buffer.write would silently truncate past the end.
        if (blobBytes + value.length * 3 > this.blob.length) this.growBlob(blobBytes + value.length * 3);
        bytes = this.blob.write(value, blobBytes);
      } else {
        if (blobBytes + value.length > this.blob.length) this.growBlob(blobBytes + value.length);
        this.blob.set(value, blobBytes);
        bytes = value.length;
      }
      const blob = this.blob;
      const at = r * STRING_T_BYTES;
      view.setUint32(at, bytes, LITTLE_ENDIAN);
      // At most 12 bytes each: plain loops beat a native Buffer.copy/fill call per string.
      if (bytes <= INLINE_BYTES) {
        // DuckDB compares inlined strings as whole structs: the unused bytes must be zero.
        for (let i = 0; i < INLINE_BYTES; i++) structs[at + 4 + i] = i < bytes ? blob[blobBytes + i]! : 0;
      } else {
        for (let i = 0; i < 4; i++) structs[at + 4 + i] = blob[blobBytes + i]!;
        pointers[longs++] = r;
        pointers[longs++] = blobBytes;
        blobBytes += bytes;
      }
    }
    if (longs > 0) {
      duckdb.vector_assign_string_element_len(vector, 0, this.blob.subarray(0, blobBytes));
      const row0 = duckdb.vector_get_data(vector, STRING_T_BYTES);
      const heap = new DataView(row0.buffer, row0.byteOffset, STRING_T_BYTES);
      const low = heap.getUint32(8 + 4 * LOW, LITTLE_ENDIAN);
      const high = heap.getUint32(12 - 4 * LOW, LITTLE_ENDIAN);
      for (let i = 0; i < longs; i += 2) {
        const at = pointers[i]! * STRING_T_BYTES + 8;
        const sum = low + pointers[i + 1]!;
        view.setUint32(at + 4 * LOW, sum >>> 0, LITTLE_ENDIAN);
        view.setUint32(at + 4 - 4 * LOW, (high + (sum >= TWO_32 ? 1 : 0)) >>> 0, LITTLE_ENDIAN);
      }
    }
    for (let i = 0; i < copied; i += 2) {
      const from = copies[i + 1]! * STRING_T_BYTES;
      structs.copyWithin(copies[i]! * STRING_T_BYTES, from, from + STRING_T_BYTES);
    }
    duckdb.copy_data_to_vector(vector, 0, structs.buffer, structs.byteOffset, n * STRING_T_BYTES);
    if (nulls) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, nulls.buffer, 0, Math.ceil(n / 64) * 8);
    }
  }

  private growBlob(bytes: number): void {
    const grown = Buffer.alloc(Math.max(bytes, this.blob.length * 2));
    this.blob.copy(grown);
    this.blob = grown;
  }
}

/** A safe integer as an int64 (two's complement) in two native-endian int32 words. */
function setInt64(words: Int32Array<ArrayBuffer>, row: number, value: number): void {
  words[row * 2 + LOW] = value >>> 0;
  words[row * 2 + (1 - LOW)] = Math.floor(value / TWO_32);
}

/** Refuses a spec whose memory layout differs from the table column's: raw writes would corrupt it. */
function checkType(spec: ChunkColumn, type: DuckDBType, index: number): void {
  const id = type.typeId;
  const ok =
    (spec.kind === 'varchar' && id === DuckDBTypeId.VARCHAR) ||
    (spec.kind === 'blob' && id === DuckDBTypeId.BLOB) ||
    (spec.kind === 'integer' && id === DuckDBTypeId.INTEGER) ||
    (spec.kind === 'bigint' && id === DuckDBTypeId.BIGINT) ||
    (spec.kind === 'timestamp' && id === DuckDBTypeId.TIMESTAMP) ||
    (spec.kind === 'decimal' &&
      type instanceof DuckDBDecimalType &&
      type.width === spec.width &&
      type.scale === spec.scale &&
      spec.width > 9 &&
      spec.width <= 18);
  if (!ok) throw new BugError(`chunk appender: column ${index} is ${type.toString()}, not ${spec.kind}`);
}
