import { z } from 'zod';
import { SINK_ENV, sinkConfigSchema } from './sink-config.js';
import { SOURCE_ENV, sourceConfigSchema } from './source-config.js';
import type { EnvBinding } from './load.js';
import { PIPELINE_ENV, pipelineConfigSchema } from './pipeline-config.js';
import { SIMULATOR_ENV, simulatorConfigSchema } from './simulator-config.js';
import { MONITOR_ENV, monitorConfigSchema } from './monitor-config.js';

/** The whole of brewline's configuration: one schema, parsed once at the edge (STYLE.md 10). */
export const configSchema = z
  .object({
    /** A catalog file (JSON/YAML) replacing the chain's default menu and branches. */
    catalog: z.string().min(1).optional(),
    simulator: simulatorConfigSchema.default(simulatorConfigSchema.parse({})),
    sink: sinkConfigSchema.default({ kind: 'stdout' }),
    source: sourceConfigSchema.default({ kind: 'bus', name: 'orders', partitions: 4 }),
    pipeline: pipelineConfigSchema.default(pipelineConfigSchema.parse({})),
    monitor: monitorConfigSchema.default(monitorConfigSchema.parse({})),
  })
  .strict();

export type BrewlineConfig = z.output<typeof configSchema>;

export const ENV_BINDINGS: readonly EnvBinding[] = [
  { env: 'BREWLINE_CATALOG', path: 'catalog' },
  ...SIMULATOR_ENV,
  ...SINK_ENV,
  ...SOURCE_ENV,
  ...PIPELINE_ENV,
  ...MONITOR_ENV,
];
