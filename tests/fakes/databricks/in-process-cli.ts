import { Command, CommanderError } from 'commander';
import { registerCommands } from '../../../src/commands/index.js';

/**
 * Runs `brewline <args>` inside the test process, so msw's interception (the Databricks fakes) applies to the
 * real command wiring: commander parsing, config, the backend, the output. Environment variables are laid over
 * process.env for the run only; stdout/stderr are captured.
 */
export async function runBrewline(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>> = {},
): Promise<{ status: number; stdout: string; stderr: string }> {
  const saved = new Map<string, string | undefined>();
  for (const [key, value] of Object.entries(env)) {
    saved.set(key, process.env[key]);
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  let stdout = '';
  let stderr = '';
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    stderr += String(chunk);
    return true;
  }) as typeof process.stderr.write;
  const previousExitCode = process.exitCode;
  process.exitCode = 0;
  let status: number;
  try {
    const program = new Command();
    program
      .name('brewline')
      .option('-c, --config <file>')
      .exitOverride()
      .configureOutput({ writeOut: (t) => (stdout += t), writeErr: (t) => (stderr += t) });
    registerCommands(program);
    try {
      await program.parseAsync(['node', 'brewline', ...args]);
      status = Number(process.exitCode ?? 0);
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      status = error.exitCode === 0 ? 0 : 2;
    }
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
    process.exitCode = previousExitCode;
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  }
  return { status, stdout, stderr };
}
