import { execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../../../', import.meta.url));
export const BIN = `${REPO}bin/brewline.js`;

/** Compiles the CLI to dist/ (tsc emits even when unrelated files have type errors). */
export function buildCli(): void {
  try {
    execFileSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, stdio: 'pipe' });
  } catch {
    // Emission is what matters; it is checked below.
  }
  if (!existsSync(`${REPO}dist/src/cli.js`)) throw new Error('build produced no dist/src/cli.js');
}

/** The environment without the machine's BREWLINE_* variables. */
export function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('BREWLINE_')) env[k] = v;
  return env;
}

export function runCli(args: readonly string[], cwd: string, timeoutMs = 120_000): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    env: cleanEnv(),
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
  });
}

export const FAULTS = 'late=0.02,very_late=0.005,duplicate=0.01,malformed=0.002,invalid=0.003,oversize=0.001';
