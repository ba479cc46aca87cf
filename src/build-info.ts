import { readFileSync } from 'node:fs';

/** What `--version` and `brewline_build_info` name: the package version and the git commit it was built from. */
export interface BuildInfo {
  readonly version: string;
  /** Short git commit baked in at build time (`dist/build-info.json`), or "unknown" outside a git checkout. */
  readonly commit: string;
  /** ISO-8601 UTC time of the build, or "unknown". */
  readonly builtAt: string;
}

let cached: BuildInfo | undefined;

/** Reads `dist/build-info.json` (written by scripts/build-info.mjs after tsc), falling back to package.json. */
export function buildInfo(): BuildInfo {
  if (cached) return cached;
  const read = (relative: string): Record<string, unknown> | undefined => {
    try {
      return JSON.parse(readFileSync(new URL(relative, import.meta.url), 'utf8')) as Record<string, unknown>;
    } catch {
      return undefined;
    }
  };
  // Compiled to dist/src/build-info.js: the build info sits in dist/, package.json two levels up.
  const baked = read('../build-info.json');
  const pkg = read('../../package.json');
  const text = (v: unknown, fallback: string): string => (typeof v === 'string' && v !== '' ? v : fallback);
  cached = {
    version: text(baked?.['version'], text(pkg?.['version'], '0.0.0')),
    commit: text(baked?.['commit'], 'unknown'),
    builtAt: text(baked?.['builtAt'], 'unknown'),
  };
  return cached;
}
