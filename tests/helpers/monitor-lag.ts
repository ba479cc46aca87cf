/**
 * Checking the per-partition lag `brewline monitor --json` shows against a pipeline's own checkpoint: shared
 * by the monitor tests of each streaming backend.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonLines, waitFor, type CliProcess } from './cli.js';

/** One partition as the monitor's stream figures show it. */
export interface PartitionLag {
  partition: number;
  latest: number;
  committed: number;
  lag: number;
  lag_seconds?: number | null;
}

/** A `--json` line of `brewline monitor` or `brewline demo`, as far as these tests read it. */
export interface StreamLine {
  type: string;
  stream?: { partitions: PartitionLag[]; total_lag: number };
}

/**
 * `brewline` arguments for a pipeline reading `source` (such as `['--source', 'kafka', …]`) that runs one
 * batch of at most 1,200 records and then waits an hour for its next trigger, serving its status on a free
 * loopback port; its lakehouse and checkpoint (`lh.duckdb`, `cp`) are in its working directory.
 */
export function oneBatchPipelineArgs(source: readonly string[]): string[] {
  return [
    'pipeline',
    'run',
    ...source,
    '--trigger',
    '1h',
    '--max-records-per-batch',
    '1200',
    '--status-port',
    '0',
    '--lakehouse',
    'lh.duckdb',
    '--checkpoint',
    'cp',
  ];
}

/**
 * Waits (bounded) until a pipeline started in `cwd` with oneBatchPipelineArgs has committed batch 0 and
 * printed its status endpoint; returns the endpoint and the end offsets batch 0 recorded per partition.
 */
export async function firstBatchCommitted(
  pipeline: CliProcess,
  cwd: string,
): Promise<{ url: string; processed: Record<string, number> }> {
  const checkpoint = join(cwd, 'cp');
  const url = await waitFor(
    () =>
      existsSync(join(checkpoint, 'commits', '0')) && /status endpoint (http:\S+)/.exec(pipeline.stderr)?.[1],
    {
      timeoutMs: 60_000,
      intervalMs: 200,
      what: 'the pipeline to commit batch 0',
      detail: () => pipeline.stderr,
    },
  );
  // An offsets file is a version line, then the JSON of the batch's offsets.
  const offsetsText = readFileSync(join(checkpoint, 'offsets', '0'), 'utf8');
  const processed = (
    JSON.parse(offsetsText.slice(offsetsText.indexOf('{'))) as { endOffset: Record<string, number> }
  ).endOffset;
  return { url, processed };
}

/** The stream figures of the last line that has them. */
export function lastStream(stdout: string): NonNullable<StreamLine['stream']> {
  const line = jsonLines<StreamLine>(stdout)
    .filter((l) => l.stream)
    .pop();
  if (!line?.stream) throw new Error(`no line with stream figures in:\n${stdout}`);
  return line.stream;
}

/** Partition, latest, committed and lag of each partition: what an independent count can check. */
export function positions(partitions: readonly PartitionLag[]): Omit<PartitionLag, 'lag_seconds'>[] {
  return partitions.map(({ partition, latest, committed, lag }) => ({ partition, latest, committed, lag }));
}
