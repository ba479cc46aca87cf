#!/usr/bin/env node
// The Python side's environment, created by the project itself on first use (idempotent, bounded):
//
//   node scripts/python/ensure-env.mjs            → checks Java 17+ and Python 3.10+, creates/refreshes the
//                                                   venv at .cache/python/venv from databricks/requirements*.txt
//                                                   (+ constraints.txt), prefetches the Spark jars (Delta, Kafka
//                                                   connector) into .cache/ivy, prints the venv's python path as
//                                                   its last stdout line
//   node scripts/python/ensure-env.mjs --no-jars  → the venv only (lint/type check need no JVM)
//   node scripts/python/ensure-env.mjs --print    → prints the paths as JSON (python, venv, ivy, jars) and exits
//
// Exit 2 with one line on stderr when Java or Python is missing or too old. Re-installs only when the
// requirement files (or the interpreter) change: a hash stamp is written last, so an interrupted install is
// redone. Concurrent callers (test workers, brewline) serialise on a lock directory. Every child process has a
// timeout. Plain JavaScript so npm scripts and brewline can call it without a build; tests and src/ import it
// (types in ensure-env.d.mts).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (scripts/python/..). */
export const repoRoot = resolve(here, '..', '..');
/** The Databricks/Spark project folder (pyproject, requirements, src, tests). */
export const pythonProject = join(repoRoot, 'databricks');
/** The git-ignored venv. */
export const venvDir = process.env.BREWLINE_PY_VENV ?? join(repoRoot, '.cache', 'python', 'venv');
/** Spark's ivy home for `spark.jars.packages` (spark.jars.ivy); resolved jars land in `<ivy>/jars`. */
export const ivyDir = process.env.BREWLINE_IVY_DIR ?? join(repoRoot, '.cache', 'ivy');
/** The Maven coordinates every local Spark session loads (see brewline_pipeline/session.py). */
export const SPARK_PACKAGES = [
  'io.delta:delta-spark_2.12:3.3.2',
  'org.apache.spark:spark-sql-kafka-0-10_2.12:3.5.7',
];

const REQUIREMENT_FILES = ['requirements.txt', 'requirements-dev.txt', 'constraints.txt'];
const MIN_PYTHON = [3, 10];
const MIN_JAVA = 17;
const PIP_TIMEOUT_MS = 15 * 60_000;
const JARS_TIMEOUT_MS = 10 * 60_000;
const LOCK_WAIT_MS = 25 * 60_000;

/** A missing or unusable prerequisite: the CLI prints `message` alone and exits 2. */
export class PrerequisiteError extends Error {
  constructor(message) {
    super(message);
    this.name = 'PrerequisiteError';
  }
}

/** The venv's interpreter. */
export function venvPython() {
  return process.platform === 'win32'
    ? join(venvDir, 'Scripts', 'python.exe')
    : join(venvDir, 'bin', 'python');
}

function log(quiet, message) {
  if (!quiet) process.stderr.write(`python-env: ${message}\n`);
}

function run(cmd, args, timeout, options = {}) {
  return spawnSync(cmd, args, { encoding: 'utf8', timeout, stdio: ['ignore', 'pipe', 'pipe'], ...options });
}

/** Finds Python 3.10+ with venv support: $BREWLINE_PYTHON, else python3. Throws PrerequisiteError. */
export function findPython() {
  const candidate = process.env.BREWLINE_PYTHON || 'python3';
  const probe = run(
    candidate,
    ['-c', 'import sys, venv, ensurepip; print("%d.%d.%d" % sys.version_info[:3]); print(sys.executable)'],
    30_000,
  );
  if (probe.error || probe.status !== 0) {
    const why =
      probe.error && probe.error.code === 'ENOENT'
        ? `${candidate} was not found on PATH`
        : `${candidate} cannot create virtual environments (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`;
    throw new PrerequisiteError(
      `the Spark pipeline needs Python ${MIN_PYTHON.join('.')}+ with venv: ${why}; install it (Debian: apt-get install python3 python3-venv) or point BREWLINE_PYTHON at one`,
    );
  }
  const [version, executable] = probe.stdout.trim().split('\n');
  const [major, minor] = version.split('.').map(Number);
  if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1])) {
    throw new PrerequisiteError(
      `the Spark pipeline needs Python ${MIN_PYTHON.join('.')}+, but ${candidate} is ${version}; install a newer one or point BREWLINE_PYTHON at it`,
    );
  }
  return { command: candidate, executable, version };
}

/** Finds Java 17+: $JAVA_HOME/bin/java, else java on PATH. Throws PrerequisiteError. */
export function findJava() {
  const candidate = process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
  const probe = run(candidate, ['-version'], 30_000);
  if (probe.error || probe.status !== 0) {
    throw new PrerequisiteError(
      `the Spark pipeline needs Java ${MIN_JAVA}+: ${candidate} ${probe.error && probe.error.code === 'ENOENT' ? 'was not found' : 'does not run'}; install it (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
    );
  }
  const text = `${probe.stderr}\n${probe.stdout}`;
  const match = /version "(\d+)(?:\.(\d+))?/.exec(text);
  const major = match ? (match[1] === '1' ? Number(match[2]) : Number(match[1])) : NaN;
  if (!(major >= MIN_JAVA)) {
    throw new PrerequisiteError(
      `the Spark pipeline needs Java ${MIN_JAVA}+, but ${candidate} is ${match ? match[0].slice(9) : 'of an unknown version'}; install Java 17 (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
    );
  }
  return { command: candidate, major };
}

/** The stamp a ready venv carries: the requirement files' content and the base interpreter. */
export function requirementsHash(python) {
  const hash = createHash('sha256');
  hash.update(`python ${python.executable} ${python.version}\n`);
  for (const name of REQUIREMENT_FILES) {
    const path = join(pythonProject, name);
    hash.update(`${name}\n`);
    if (existsSync(path)) hash.update(readFileSync(path));
  }
  return hash.digest('hex');
}

const venvStamp = () => join(venvDir, '.brewline-stamp');
const jarsStamp = () => join(ivyDir, '.brewline-jars');

function readText(path) {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Runs `fn` holding a lock directory next to `target`; waits (bounded) for another holder to finish. */
function withLock(target, quiet, fn) {
  mkdirSync(dirname(target), { recursive: true });
  const lock = `${target}.lock`;
  const deadline = Date.now() + LOCK_WAIT_MS;
  let said = false;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed process is stale after the longest install could take.
      try {
        if (Date.now() - statSync(lock).mtimeMs > PIP_TIMEOUT_MS + JARS_TIMEOUT_MS) {
          rmSync(lock, { recursive: true, force: true });
          continue;
        }
      } catch {
        continue;
      }
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for another Python env setup (remove ${lock} if stale)`);
      if (!said) log(quiet, 'waiting for another process setting up the Python environment…');
      said = true;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function failIfBad(result, what) {
  if (result.error || result.status !== 0) {
    const detail = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
    const timedOut = result.error && result.error.code === 'ETIMEDOUT' ? ' (timed out)' : '';
    throw new Error(`${what} failed${timedOut} (exit ${result.status}): ${detail.trim().slice(-3000)}`);
  }
}

/** Creates or refreshes the venv when the requirement files changed. Returns the venv's python. */
export function ensureVenv({ quiet = false } = {}) {
  const python = findPython();
  const wanted = requirementsHash(python);
  if (readText(venvStamp()) === wanted && existsSync(venvPython())) return venvPython();
  return withLock(venvDir, quiet, () => {
    if (readText(venvStamp()) === wanted && existsSync(venvPython())) return venvPython();
    const started = Date.now();
    log(
      quiet,
      `creating ${venvDir} from databricks/requirements-dev.txt (first use or requirements changed)…`,
    );
    failIfBad(run(python.command, ['-m', 'venv', '--clear', venvDir], 5 * 60_000), 'python3 -m venv');
    failIfBad(
      run(
        venvPython(),
        [
          '-m',
          'pip',
          'install',
          '--disable-pip-version-check',
          '--no-input',
          '--progress-bar',
          'off',
          '-q',
          '-r',
          join(pythonProject, 'requirements-dev.txt'),
          '-c',
          join(pythonProject, 'constraints.txt'),
        ],
        PIP_TIMEOUT_MS,
        { env: { ...process.env, PIP_NO_INPUT: '1' } },
      ),
      'pip install',
    );
    // The package itself from its source folder (no build step): a .pth entry on the venv's path.
    const site = run(
      venvPython(),
      ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'],
      30_000,
    );
    failIfBad(site, 'locating site-packages');
    writeFileSync(join(site.stdout.trim(), 'brewline_pipeline.pth'), `${join(pythonProject, 'src')}\n`);
    writeFileSync(venvStamp(), `${wanted}\n`);
    log(quiet, `Python environment ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return venvPython();
  });
}

/** The jar files the prefetch resolved (absolute paths), or [] when not fetched yet. */
export function prefetchedJars() {
  if (readText(jarsStamp()) !== SPARK_PACKAGES.join(',')) return [];
  const dir = join(ivyDir, 'jars');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.jar'))
    .sort()
    .map((f) => join(dir, f));
}

/** Fetches the Spark packages (Delta, Kafka connector and their dependencies) from Maven Central into the ivy cache once. */
export function ensureJars({ quiet = false } = {}) {
  if (prefetchedJars().length > 0) return prefetchedJars();
  findJava();
  const python = ensureVenv({ quiet });
  return withLock(ivyDir, quiet, () => {
    if (prefetchedJars().length > 0) return prefetchedJars();
    const started = Date.now();
    log(quiet, `fetching ${SPARK_PACKAGES.join(', ')} from Maven Central into ${ivyDir} (first use only)…`);
    const result = run(
      python,
      [join(here, 'prefetch_jars.py'), ivyDir, SPARK_PACKAGES.join(',')],
      JARS_TIMEOUT_MS,
      {
        env: { ...process.env, PYSPARK_PYTHON: python, BREWLINE_SPARK_LOCAL: '1' },
      },
    );
    failIfBad(result, 'fetching the Spark jars');
    writeFileSync(jarsStamp(), `${SPARK_PACKAGES.join(',')}\n`);
    log(quiet, `Spark jars ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    return prefetchedJars();
  });
}

/** Everything a local Spark run needs: Java, the venv, the jars. Returns the venv's python. */
export function ensurePythonEnv({ quiet = false, jars = true } = {}) {
  if (jars) findJava();
  const python = ensureVenv({ quiet });
  if (jars) ensureJars({ quiet });
  return python;
}

function main(argv) {
  if (argv.includes('--print')) {
    process.stdout.write(
      `${JSON.stringify({ python: venvPython(), venv: venvDir, ivy: ivyDir, jars: prefetchedJars(), packages: SPARK_PACKAGES })}\n`,
    );
    return 0;
  }
  const quiet = argv.includes('--quiet');
  try {
    const python = ensurePythonEnv({ quiet, jars: !argv.includes('--no-jars') });
    process.stdout.write(`${python}\n`);
    return 0;
  } catch (error) {
    if (error instanceof PrerequisiteError) {
      process.stderr.write(`brewline: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`brewline: could not set up the Python environment: ${error.message}\n`);
    return 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
