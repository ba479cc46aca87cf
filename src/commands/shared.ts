import type { Command } from 'commander';
import { buildCatalog, loadCatalogFile, loadDefaultCatalog, type Catalog } from '../domain/catalog.js';
import { describeError, EXIT_FAILURE } from '../errors.js';
import { loadConfig, type FlagValue } from '../config/load.js';
import { configSchema, ENV_BINDINGS, type BrewlineConfig } from '../config/schema.js';

export { buildCatalog };

/** Builds the config from file → env → these flags, using the program's global `--config`. */
export function resolveConfig(command: Command, flags: readonly FlagValue[]): BrewlineConfig {
  const globals = command.optsWithGlobals<{ config?: string }>();
  return loadConfig(configSchema, {
    configPath: globals.config ?? process.env['BREWLINE_CONFIG'],
    envBindings: ENV_BINDINGS,
    flags,
  }).config;
}

export function catalogFor(config: BrewlineConfig): Catalog {
  return config.catalog ? loadCatalogFile(config.catalog) : loadDefaultCatalog();
}

/**
 * Wraps a command action: user errors print one line (exit 2 for config, 1 for failures), bugs print a
 * stack. Actions return their exit code (default 0).
 */
export function action<A extends unknown[]>(
  fn: (...args: A) => Promise<number | void> | number | void,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      const code = await fn(...args);
      process.exitCode = code ?? 0;
    } catch (error) {
      const { message, exitCode } = describeError(error);
      process.stderr.write(`${message}\n`);
      process.exitCode = exitCode ?? EXIT_FAILURE;
    }
  };
}

/** Collects `{ path, flag, value }` for every option the user actually passed. */
export function flagValues(command: Command, mapping: Readonly<Record<string, string>>): FlagValue[] {
  const out: FlagValue[] = [];
  const opts = command.opts<Record<string, unknown>>();
  for (const [option, path] of Object.entries(mapping)) {
    const source = command.getOptionValueSource(option);
    if (source !== 'cli' && source !== 'env') continue;
    const def = command.options.find((o) => o.attributeName() === option);
    out.push({ path, flag: def?.long ?? `--${option}`, value: opts[option] });
  }
  return out;
}
