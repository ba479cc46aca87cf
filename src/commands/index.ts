import type { Command } from 'commander';
import { registerSimulate } from './simulate.js';
import { registerPipeline } from './pipeline.js';
import { registerVerify } from './verify.js';
import { registerQuery } from './query.js';
import { registerDemo } from './demo.js';
import { registerMonitor } from './monitor.js';
import { registerLag } from './lag.js';

/**
 * Every command registers itself here. Subcommands inherit the program's exitOverride/output settings, so a
 * bad flag anywhere is one readable message and exit code 2.
 */
export function registerCommands(program: Command): void {
  registerSimulate(program);
  registerPipeline(program);
  registerVerify(program);
  registerQuery(program);
  registerDemo(program);
  registerMonitor(program);
  registerLag(program);
}
