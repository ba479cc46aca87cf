import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './cli.js';

/**
 * The project's Python environment for tests that run real PySpark: scripts/python/ensure-env.mjs creates it
 * (venv from the pinned requirements, jars from Maven Central; idempotent) and prints its interpreter. Throws
 * with that script's own message when Java or Python is missing: the test fails, it is never skipped.
 */
export function sparkPython(): { python: string; jars: string[] } {
  const script = join(REPO, 'scripts', 'python', 'ensure-env.mjs');
  let python: string;
  if (existsSync(script)) {
    const run = spawnSync(process.execPath, [script, '--quiet'], {
      cwd: REPO,
      encoding: 'utf8',
      timeout: 20 * 60_000,
    });
    if (run.status !== 0) throw new Error(`ensure-env failed: ${run.stderr.trim().split('\n').at(-1)}`);
    python = run.stdout.trim().split('\n').at(-1)!;
  } else {
    // Before scripts/python landed here: the venv created by hand (PLAN.md: pyspark 3.5.x + delta-spark 3.3.2).
    python = join(REPO, '.cache', 'python', 'venv', 'bin', 'python');
    if (!existsSync(python))
      throw new Error(`no Python environment: ${script} is missing and so is ${python}`);
  }
  const jarDir = join(REPO, '.cache', 'ivy', 'jars');
  const jars = existsSync(jarDir)
    ? readdirSync(jarDir)
        .filter((n) => n.endsWith('.jar'))
        .map((n) => join(jarDir, n))
    : [];
  return { python, jars };
}
