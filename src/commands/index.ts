import type { Command } from 'commander';
import { registerSimulate } from './simulate.js';

/**
 * Every command registers itself here. Subcommands inherit the program's exitOverride/output settings, so a
 * bad flag anywhere is one readable message and exit code 2.
 */
export function registerCommands(program: Command): void {
  void program;
  registerSimulate(program);
}
