import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../errors.js';
import { Checkpoint, type OffsetsEntry } from '../pipeline/checkpoint.js';
import type { BatchMarker } from '../pipeline/lakehouse-types.js';

/** What `pipeline reset-uncommitted` removed. */
export interface ResetReport {
  /** The last batch the lakehouse holds (-1: none). */
  readonly lakehouseBatch: number;
  /** The last batch recorded in commits/ (-1: none). */
  readonly committedBatch: number;
  /** Each removed offsets/N, with its entry when it could still be parsed. */
  readonly removed: readonly { batchId: number; entry: OffsetsEntry | undefined }[];
}

/**
 * Drops the logged-but-uncommitted batches of a checkpoint: every offsets/N after both the last commits/N
 * and the last batch the lakehouse holds. Those batches wrote nothing anywhere (the lakehouse commits a
 * batch and its marker in one transaction), so the next run simply plans them again from the last commit.
 * This is how a bad uncommitted offsets/N (an end that is not a record boundary) is recovered; committed
 * batches are never touched.
 */
export function resetUncommitted(checkpointDir: string, lastMarker: BatchMarker | undefined): ResetReport {
  if (!existsSync(join(checkpointDir, 'metadata'))) {
    throw new ConfigError(`no checkpoint at ${checkpointDir}`, {
      hint: 'pass the checkpoint directory the pipeline runs with: --checkpoint DIR',
    });
  }
  const checkpoint = new Checkpoint(checkpointDir);
  const lakehouseBatch = lastMarker?.batchId ?? -1;
  const committedBatch = checkpoint.latest('commits') ?? -1;
  const keepUpTo = Math.max(lakehouseBatch, committedBatch);
  const removed: { batchId: number; entry: OffsetsEntry | undefined }[] = [];
  for (const batchId of checkpoint.batchIds('offsets')) {
    if (batchId <= keepUpTo) continue;
    let entry: OffsetsEntry | undefined;
    try {
      entry = checkpoint.offsets(batchId);
    } catch {
      // A corrupt entry is exactly what this command removes.
    }
    rmSync(join(checkpointDir, 'offsets', String(batchId)), { force: true });
    removed.push({ batchId, entry });
  }
  return { lakehouseBatch, committedBatch, removed };
}

/** One line per removed batch, then what happens next. */
export function describeReset(report: ResetReport): string[] {
  if (report.removed.length === 0) {
    return ['nothing to reset: every logged batch is committed'];
  }
  const lines = report.removed.map(({ batchId, entry }) => {
    const ranges = entry
      ? Object.entries(entry.endOffset)
          .map(([p, to]) => `partition ${p} ${entry.startOffset[p] ?? '?'}–${to}`)
          .join(', ')
      : 'unreadable entry';
    return `removed offsets/${batchId} (never committed; ${ranges})`;
  });
  const next = Math.max(report.lakehouseBatch, report.committedBatch) + 1;
  lines.push(`the next run plans batch ${next} again from the last committed offsets`);
  return lines;
}
