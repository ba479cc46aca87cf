#!/usr/bin/env node
// Bakes the build's identity into dist/build-info.json after tsc: the package version, the git commit (env
// BREWLINE_COMMIT, else `git rev-parse --short HEAD`, else "unknown" — an npm tarball or a Docker context has
// no .git) and the build time. `brewline --version` and the brewline_build_info metric read it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));

function commit() {
  const fromEnv = process.env.BREWLINE_COMMIT;
  if (fromEnv && fromEnv !== 'unknown') return fromEnv;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd: root,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unknown';
  }
}

mkdirSync(`${root}dist`, { recursive: true });
const info = { version: pkg.version, commit: commit(), builtAt: new Date().toISOString() };
writeFileSync(`${root}dist/build-info.json`, `${JSON.stringify(info)}\n`);
