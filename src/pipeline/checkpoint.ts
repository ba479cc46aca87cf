import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataIntegrityError } from '../errors.js';
import type { PartitionOffsets } from '../backends/types.js';

/**
 * The checkpoint directory, after Spark's: `metadata` (query id and the settings that must not change),
 * `offsets/N` (written before batch N: its exact source ranges and watermark) and `commits/N` (written
 * after the lakehouse committed batch N: the watermark for N+1). Every file is written to a temporary name,
 * fsynced and renamed, so a crash leaves either the old state or the new one, never a torn file.
 */
const VERSION_LINE = 'v1';
const offsetsMap = z.record(z.string().regex(/^\d+$/), z.number().int().nonnegative());

const metadataSchema = z
  .object({
    id: z.string().min(1),
    queryName: z.string().min(1),
    sourceId: z.string().min(1),
    outputMode: z.enum(['complete', 'update']),
    windowDurationMs: z.number().int().positive(),
    windowOffsetMs: z.number().int().nonnegative(),
    watermarkDelayMs: z.number().int().nonnegative(),
    createdAt: z.string(),
    /** Where the query started (Spark's initial offsets, `startingOffsets=latest`); absent: earliest. */
    initialOffsets: offsetsMap.optional(),
    /**
     * Spark's `spark.sql.streaming.statefulOperator.allowMultiple` the query was started with. Absent in
     * checkpoints written before brewline had it, which filtered late rows with wm(N): false, as Spark reads
     * a pre-3.4 checkpoint (OffsetSeqMetadata's default for a missing conf).
     */
    statefulOperatorAllowMultiple: z.boolean().optional(),
  })
  .strict();

const offsetsSchema = z
  .object({
    batchId: z.number().int().nonnegative(),
    batchWatermarkMs: z.number().int(),
    batchTimestampMs: z.number().int(),
    startOffset: offsetsMap,
    endOffset: offsetsMap,
  })
  .strict();

const commitSchema = z
  .object({ batchId: z.number().int().nonnegative(), nextBatchWatermarkMs: z.number().int() })
  .strict();

export type CheckpointMetadata = z.output<typeof metadataSchema>;
export interface OffsetsEntry {
  batchId: number;
  /** wm(N): computed at the end of the previous batch; state is evicted with it (see lateEventsWatermark). */
  batchWatermarkMs: number;
  batchTimestampMs: number;
  startOffset: PartitionOffsets;
  endOffset: PartitionOffsets;
}
export interface CommitEntry {
  batchId: number;
  nextBatchWatermarkMs: number;
}

/** The metadata of the checkpoint at `dir`, read without creating anything there; undefined if none. */
export function readCheckpointMetadata(dir: string): CheckpointMetadata | undefined {
  try {
    const parsed = metadataSchema.safeParse(JSON.parse(readFileSync(join(dir, 'metadata'), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** How many batches of offsets/commits to keep (Spark's minBatchesToRetain). */
export const BATCHES_TO_RETAIN = 100;

export class Checkpoint {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
    mkdirSync(join(dir, 'offsets'), { recursive: true });
    mkdirSync(join(dir, 'commits'), { recursive: true });
  }

  readMetadata(): CheckpointMetadata | undefined {
    const text = this.readOptional(join(this.dir, 'metadata'));
    if (text === undefined) return undefined;
    return this.parse(join(this.dir, 'metadata'), text, metadataSchema, false);
  }

  writeMetadata(metadata: CheckpointMetadata): void {
    atomicWrite(join(this.dir, 'metadata'), `${JSON.stringify(metadata)}\n`);
  }

  /** Batch ids present in `offsets/` or `commits/`, ascending. */
  batchIds(log: 'offsets' | 'commits'): number[] {
    return readdirSync(join(this.dir, log))
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .sort((a, b) => a - b);
  }

  latest(log: 'offsets' | 'commits'): number | undefined {
    return this.batchIds(log).at(-1);
  }

  offsets(batchId: number): OffsetsEntry | undefined {
    const path = join(this.dir, 'offsets', String(batchId));
    const text = this.readOptional(path);
    if (text === undefined) return undefined;
    const entry = this.parse(path, text, offsetsSchema, true);
    if (entry.batchId !== batchId) corrupt(path, `it names batch ${entry.batchId}`);
    return entry;
  }

  commit(batchId: number): CommitEntry | undefined {
    const path = join(this.dir, 'commits', String(batchId));
    const text = this.readOptional(path);
    if (text === undefined) return undefined;
    const entry = this.parse(path, text, commitSchema, true);
    if (entry.batchId !== batchId) corrupt(path, `it names batch ${entry.batchId}`);
    return entry;
  }

  writeOffsets(entry: OffsetsEntry): void {
    atomicWrite(
      join(this.dir, 'offsets', String(entry.batchId)),
      `${VERSION_LINE}\n${JSON.stringify(entry)}\n`,
    );
  }

  writeCommit(entry: CommitEntry): void {
    atomicWrite(
      join(this.dir, 'commits', String(entry.batchId)),
      `${VERSION_LINE}\n${JSON.stringify(entry)}\n`,
    );
  }

  /** Removes offsets/commits older than the retained window (and stale temporary files). */
  purge(latestBatchId: number): void {
    const keepFrom = latestBatchId - BATCHES_TO_RETAIN + 1;
    for (const log of ['offsets', 'commits'] as const) {
      for (const name of readdirSync(join(this.dir, log))) {
        const stale = name.endsWith('.tmp') || (/^\d+$/.test(name) && Number(name) < keepFrom);
        if (stale) rmSync(join(this.dir, log, name), { force: true });
      }
    }
  }

  private readOptional(path: string): string | undefined {
    try {
      return readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  private parse<S extends z.ZodType>(path: string, text: string, schema: S, versioned: boolean): z.output<S> {
    let body = text;
    if (versioned) {
      const newline = text.indexOf('\n');
      const version = newline < 0 ? text : text.slice(0, newline);
      if (version !== VERSION_LINE)
        corrupt(path, `unknown version line ${JSON.stringify(version.slice(0, 20))}`);
      body = text.slice(newline + 1);
    }
    let value: unknown;
    try {
      value = JSON.parse(body);
    } catch {
      corrupt(path, 'it is not valid JSON');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      corrupt(path, `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
    }
    return parsed.data;
  }
}

function corrupt(path: string, detail: string): never {
  throw new DataIntegrityError(`checkpoint file ${path} is corrupt: ${detail}`, {
    hint: 'restore the checkpoint, or start over with a new --checkpoint directory and a new --lakehouse',
  });
}

/** Write-then-rename with fsync of the file and its directory: the new content is all there or not at all. */
export function atomicWrite(path: string, content: string): void {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(join(path, '..'), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
