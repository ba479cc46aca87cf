import type { Command } from 'commander';

/**
 * The commands `brewline` knows, with what `brewline --help` lists for each, and how to load the one that
 * runs. Only that command's module is imported, so `--help`, `--version` and `completion` start without
 * DuckDB, zod, yaml, Ink or any SDK. A unit test keeps these descriptions equal to the commands' own.
 */
export interface CommandEntry {
  readonly description: string;
  readonly load: () => Promise<(program: Command) => unknown>;
}

export const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  simulate: {
    description:
      'generate deterministic POS orders (NDJSON events, schema_version 1) into a sink, with a ground-truth ledger',
    load: async () => (await import('./commands/simulate.js')).registerSimulate,
  },
  pipeline: {
    description: 'the embedded medallion pipeline (bronze → silver → gold on DuckDB)',
    load: async () => (await import('./commands/pipeline.js')).registerPipeline,
  },
  verify: {
    description: 'compare the lakehouse with a simulator ledger; exit 1 on any difference',
    load: async () => (await import('./commands/verify.js')).registerVerify,
  },
  query: {
    description: 'run read-only SQL against the lakehouse, e.g. "SELECT * FROM gold.hourly_sales"',
    load: async () => (await import('./commands/query.js')).registerQuery,
  },
  demo: {
    description:
      'the whole chain in one process: load generator → in-process bus → embedded pipeline → DuckDB → live dashboard',
    load: async () => (await import('./commands/demo.js')).registerDemo,
  },
  monitor: {
    description:
      'attach the live dashboard to a pipeline started separately (`brewline pipeline run --status-port PORT`); reads only',
    load: async () => (await import('./commands/monitor.js')).registerMonitor,
  },
  lag: {
    description:
      'per-partition lag of the pipeline (from its checkpoint) or of a consumer group (Kafka, or Event Hubs with a blob checkpoint store), read fresh from the source',
    load: async () => (await import('./commands/lag.js')).registerLag,
  },
  completion: {
    description: 'print a shell completion script: eval "$(brewline completion bash)" (also zsh, fish)',
    load: async () => (await import('./commands/completion.js')).registerCompletion,
  },
};

/** The command a command line names (after global options), or undefined for `brewline`, `--help`, `-V`. */
export function commandNamed(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '-c' || arg === '--config') {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    // `brewline help pipeline` is `brewline pipeline --help`.
    if (arg === 'help') return argv.slice(i + 1).find((a) => !a.startsWith('-'));
    return arg;
  }
  return undefined;
}

/**
 * Registers the named command for real, and every other as a stub that only lists itself in help (an
 * unknown name registers nothing more: commander then reports it, with suggestions).
 */
export async function registerFor(program: Command, name: string | undefined): Promise<void> {
  const entry = name === undefined ? undefined : COMMANDS[name];
  for (const [other, e] of Object.entries(COMMANDS)) {
    if (entry && other === name) await e.load().then((register) => register(program));
    else program.command(other).description(e.description);
  }
}

/** Every command registered for real (completion scripts and tests read the whole tree). */
export async function registerAll(program: Command): Promise<void> {
  for (const e of Object.values(COMMANDS)) (await e.load())(program);
}
