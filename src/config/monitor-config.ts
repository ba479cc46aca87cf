import { z } from 'zod';
import type { EnvBinding } from './load.js';

/** Monitor/TUI settings (first cut; the TUI owns and extends this section). */
export const monitorConfigSchema = z.object({}).strict();

export type MonitorConfig = z.output<typeof monitorConfigSchema>;

export const MONITOR_ENV: readonly EnvBinding[] = [];
