/**
 * vitest globalSetup: compiles src/ and bench/ to dist/ once, before any test file runs, so that end-to-end
 * tests spawning `node bin/brewline.js` all run the same build and none rewrites dist/ under another.
 */
import { spawnSync } from 'node:child_process';
import { ensureBuilt, REPO } from './cli.js';

export default function buildOnce(): void {
  const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.build.json'], { cwd: REPO, encoding: 'utf8' });
  // tsc still emits when files others are editing have type errors; only a missing CLI is fatal here.
  if (tsc.status !== 0) {
    const errors = (tsc.stdout ?? '').split('\n').filter((line) => /error TS\d+/.test(line)).length;
    console.warn(
      `build-once: tsc ${tsc.error ? `failed: ${tsc.error.message}` : `reported ${errors} type error(s)`}`,
    );
  }
  ensureBuilt();
}
