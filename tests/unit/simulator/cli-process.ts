/** Helpers for end-to-end tests that run the built CLI as a real process. */
import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = fileURLToPath(new URL('../../../bin/brewline.js', import.meta.url));

/** Compiles to dist/ (tsc emits even when unrelated files have type errors) and checks the CLI is there. */
export function buildCli(): void {
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // Type errors elsewhere in the tree do not stop emission; the existence check below is what matters.
  }
  if (!existsSync(`${REPO}dist/src/cli.js`)) throw new Error('build produced no dist/src/cli.js');
}

/** The environment without any BREWLINE_* variables of the machine running the tests. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BREWLINE_')) env[k] = v;
  return { ...env, ...extra };
}

export function runCli(
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string> },
): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd,
    env: cleanEnv(options.env),
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 256 * 1024 * 1024,
  });
}
