import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ExternalError } from '../../errors.js';

/** The brewline checkout or installed package this module belongs to (it holds databricks/ and scripts/). */
export function packageRoot(from: string = fileURLToPath(import.meta.url)): string {
  let dir = dirname(from);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'brewline') return dir;
      } catch {
        // keep looking upwards
      }
    }
    const parent = dirname(dir);
    if (parent === dir) throw new ExternalError('cannot find the brewline package folder (package.json)');
    dir = parent;
  }
}

/** Where the Spark job lives inside the package. */
export interface SparkJobFiles {
  readonly root: string;
  /** `databricks/src`, put on PYTHONPATH. */
  readonly pythonPath: string;
  /** The one-query-through-all-layers entry point. */
  readonly streamTask: string;
}

export function sparkJobFiles(root: string = packageRoot()): SparkJobFiles {
  const pythonPath = join(root, 'databricks', 'src');
  return { root, pythonPath, streamTask: join(pythonPath, 'brewline_pipeline', 'tasks', 'stream.py') };
}

/**
 * Ensures the project's Python environment (scripts/python/ensure-env.mjs: a git-ignored venv from pinned
 * PyPI requirements and the Spark jars from Maven Central, idempotent and bounded) and returns the venv's
 * interpreter. A missing Java or Python becomes one ConfigError line.
 */
export async function ensurePythonEnvironment(
  root: string = packageRoot(),
  log: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<string> {
  const script = join(root, 'scripts', 'python', 'ensure-env.mjs');
  if (!existsSync(script)) {
    throw new ConfigError(`the Spark engine needs ${script}, which this brewline does not have`, {
      hint: 'use a brewline checkout with the databricks/ pipeline and scripts/python/, or --engine embedded',
    });
  }
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, [script, '--quiet'], {
        cwd: root,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        err += d;
        for (const line of d.split('\n')) if (line.startsWith('python-env:')) log(line);
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stdout: out, stderr: err }));
    },
  );
  const lastErr = stderr.trim().split('\n').filter(Boolean).at(-1) ?? '';
  if (code === 2) {
    throw new ConfigError(lastErr.replace(/^brewline: /, '') || 'Java 17+ or Python 3.10+ is missing', {
      hint: 'install Java 17+ and Python 3.10+ (with venv), or use --engine embedded',
    });
  }
  const python = stdout.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || python === '' || !existsSync(python)) {
    throw new ExternalError(
      `could not set up the Python environment for Spark: ${lastErr || `exit ${code}`}`,
      {
        hint: 'run `node scripts/python/ensure-env.mjs` to see the whole output',
      },
    );
  }
  return python;
}
