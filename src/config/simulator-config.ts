import { z } from 'zod';
import { positiveInt } from './fields.js';
import type { EnvBinding } from './load.js';

/** Simulator settings (first cut; the simulator owns and extends this section). */
export const simulatorConfigSchema = z
  .object({
    /** @default 1 */
    seed: positiveInt().default(1),
  })
  .strict();

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;

export const SIMULATOR_ENV: readonly EnvBinding[] = [{ env: 'BREWLINE_SEED', path: 'simulator.seed' }];
