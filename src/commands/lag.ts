import { resolve } from 'node:path';
import type { Command } from 'commander';
import { readLag, type PartitionLag } from '../backends/lag.js';
import { createSource } from '../backends/sources.js';
import type { PartitionOffsets } from '../backends/types.js';
import { ConfigError } from '../errors.js';
import { Checkpoint } from '../pipeline/checkpoint.js';
import { findSparkCheckpoint, sparkCheckpointOffsets } from '../backends/spark/spark-checkpoint.js';
import { exitWhenDone } from './exit-guard.js';
import { action, flagValues, resolveConfig } from './shared.js';
import { addSourceOptions, sourceFlagValues } from './source-options.js';

/** The processed position of a brewline query: the end offsets of every committed batch, merged. */
export function checkpointOffsets(dir: string): PartitionOffsets {
  // A Spark query's own checkpoint (`pipeline run --engine spark`): its offsets/N and commits/N.
  const spark = findSparkCheckpoint(dir);
  if (spark) return sparkCheckpointOffsets(spark);
  const checkpoint = new Checkpoint(dir);
  const metadata = checkpoint.readMetadata();
  if (!metadata) {
    throw new ConfigError(`${dir} is not a brewline checkpoint`, {
      hint: 'point --checkpoint at the directory `brewline pipeline run` uses, or use --group for Kafka',
    });
  }
  const last = checkpoint.latest('commits');
  const merged: Record<string, number> = { ...metadata.initialOffsets };
  if (last === undefined) return merged;
  for (const id of checkpoint.batchIds('offsets')) {
    if (id > last) break;
    Object.assign(merged, checkpoint.offsets(id)?.endOffset ?? {});
  }
  return merged;
}

function cell(value: number | undefined, digits = 0): string {
  return value === undefined
    ? '-'
    : value.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Renders rows like `kafka-consumer-groups --describe`, plus lag in seconds. */
export function lagTable(rows: readonly PartitionLag[]): string {
  const header = ['PARTITION', 'CURRENT-OFFSET', 'LOG-END-OFFSET', 'LAG', 'LAG-SECONDS'];
  const body = rows.map((r) => [
    String(r.partition),
    cell(r.currentOffset),
    cell(r.logEndOffset),
    cell(r.lag),
    cell(r.lagSeconds, 1),
  ]);
  const total = rows.reduce((sum, r) => sum + r.lag, 0);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cols: readonly string[]): string =>
    cols.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...body.map(line), `total lag ${total.toLocaleString('en-US')}`].join('\n');
}

export function registerLag(program: Command): Command {
  const lag = program
    .command('lag')
    .description(
      'per-partition lag of the pipeline (from its checkpoint) or of a consumer group (Kafka, or Event Hubs with a blob checkpoint store), read fresh from the source',
    );
  return addSourceOptions(lag)
    .option(
      '--checkpoint <dir>',
      'the pipeline checkpoint whose position to measure (default .brewline/checkpoint)',
    )
    .option('--json', 'one JSON object with a row per partition')
    .action(
      action(async (_opts: unknown, command: Command) => {
        const opts = command.opts<{ checkpoint?: string; group?: string; json?: boolean }>();
        const config = resolveConfig(command, [
          ...flagValues(command, { checkpoint: 'pipeline.checkpoint' }),
          ...sourceFlagValues(command),
        ]);
        const group = opts.group ?? ('group' in config.source ? config.source.group : undefined);
        if (config.source.kind === 'bus') {
          throw new ConfigError('the in-process bus lives inside one process; its lag is on the dashboard', {
            hint: 'use --source kafka, eventhubs or file:PATH, or watch `brewline demo`',
          });
        }
        const source = await createSource(config.source);
        try {
          await source.open();
          const processed =
            group !== undefined && opts.checkpoint === undefined
              ? { group }
              : checkpointOffsets(resolve(config.pipeline.checkpoint));
          const rows = await readLag(source, processed);
          const of =
            'group' in processed
              ? `consumer group ${processed.group}`
              : `checkpoint ${resolve(config.pipeline.checkpoint)}`;
          if (opts.json) {
            process.stdout.write(`${JSON.stringify({ source: source.description, of, partitions: rows })}\n`);
          } else {
            process.stdout.write(`${source.description} · ${of}\n${lagTable(rows)}\n`);
          }
        } finally {
          await source.close();
          exitWhenDone();
        }
        return 0;
      }),
    );
}
