import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PartitionOffsets } from '../types.js';
import { flattenOffsets } from './spark-progress.js';

/**
 * Spark's own streaming checkpoint (`MicroBatchExecution`): `metadata` ({"id"}), `offsets/N` (line 1 `v1`,
 * line 2 the batch metadata with `batchWatermarkMs`, then one line per source with its end offsets) and
 * `commits/N` (`v1`, `{"nextBatchWatermarkMs"}`) written once batch N's sink committed.
 */
export function isSparkCheckpoint(dir: string): boolean {
  if (!existsSync(join(dir, 'metadata')) || !existsSync(join(dir, 'offsets'))) return false;
  try {
    const meta = JSON.parse(readFileSync(join(dir, 'metadata'), 'utf8')) as Record<string, unknown>;
    return typeof meta['id'] === 'string' && meta['queryName'] === undefined;
  } catch {
    return false;
  }
}

/**
 * The Spark checkpoint at `dir`, or the one query folder below it (the job's `--checkpoint` root holds one
 * folder per query; with several, the one reading the source: `ingest` (stream shape) or `bronze`
 * (chain shape)); undefined when there is none.
 */
export function findSparkCheckpoint(dir: string): string | undefined {
  if (isSparkCheckpoint(dir)) return dir;
  if (!existsSync(dir)) return undefined;
  const below = readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && isSparkCheckpoint(join(dir, d.name)))
    .map((d) => d.name);
  const chosen =
    below.length === 1
      ? below[0]
      : (below.find((n) => n.endsWith('ingest')) ?? below.find((n) => n.endsWith('bronze')));
  return chosen === undefined ? undefined : join(dir, chosen);
}

function batchIds(dir: string): number[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .sort((a, b) => a - b);
}

/** The last batch whose commit is written, or undefined before the first. */
export function lastCommittedBatch(dir: string): number | undefined {
  return batchIds(join(dir, 'commits')).at(-1);
}

/** The processed position of a Spark query: the end offsets (of its first source) of its last committed batch. */
export function sparkCheckpointOffsets(dir: string): PartitionOffsets {
  const last = lastCommittedBatch(dir);
  if (last === undefined) return {};
  const lines = readFileSync(join(dir, 'offsets', String(last)), 'utf8').split('\n');
  // lines[0] = "v1", lines[1] = batch metadata, lines[2..] = one per source.
  return flattenOffsets(lines[2] ?? '');
}

/** The watermark (epoch ms) the query will use for its next batch, from commits/N (0 before the first). */
export function sparkNextWatermarkMs(dir: string): number {
  const last = lastCommittedBatch(dir);
  if (last === undefined) return 0;
  const lines = readFileSync(join(dir, 'commits', String(last)), 'utf8').split('\n');
  try {
    const value = JSON.parse(lines[1] ?? '{}') as { nextBatchWatermarkMs?: unknown };
    return typeof value.nextBatchWatermarkMs === 'number' ? value.nextBatchWatermarkMs : 0;
  } catch {
    return 0;
  }
}
