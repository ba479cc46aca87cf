import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, ensureBuilt, removeTempDir, REPO, tempDir } from '../helpers/cli.js';

/**
 * What an npm user gets: `npm pack` of this checkout installed globally into an empty prefix, then run from
 * an empty folder. dist/ is already built by the suite's global setup, so the pack skips `prepack` (which
 * builds it for a real publish).
 */
let dir: string;
let tarball: string;
const npm = (args: readonly string[], cwd: string, timeout = 240_000) =>
  spawnSync('npm', args, {
    cwd,
    env: cleanEnv({ npm_config_fund: 'false', npm_config_audit: 'false' }),
    encoding: 'utf8',
    timeout,
  });

beforeAll(() => {
  ensureBuilt();
  dir = tempDir('package');
});
afterAll(() => removeTempDir(dir));

describe('the npm package', () => {
  it('contains exactly what runs: bin, compiled sources, build info, README — no tests, CI or sources', () => {
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts['prepack']).toContain('build');
    const packed = npm(['pack', '--ignore-scripts', '--json', '--pack-destination', dir], REPO, 60_000);
    expect(packed.status, packed.stderr).toBe(0);
    const [info] = JSON.parse(packed.stdout) as {
      filename: string;
      size: number;
      files: { path: string }[];
    }[];
    tarball = join(dir, info!.filename);
    const paths = info!.files.map((f) => f.path);
    expect(paths).toContain('bin/brewline.js');
    expect(paths).toContain('dist/src/cli.js');
    expect(paths).toContain('dist/build-info.json');
    for (const p of paths)
      expect(p).toMatch(
        /^(bin\/|dist\/src\/.*\.js$|dist\/build-info\.json$|README\.md$|package\.json$|LICENSE)/,
      );
    expect(info!.size).toBeLessThan(1_000_000);
  });

  it('installs globally into a clean prefix and runs --help, --version and a 5-second demo into a pipe', () => {
    expect(existsSync(tarball)).toBe(true);
    const prefix = join(dir, 'prefix');
    const installed = npm(['install', '-g', '--prefix', prefix, '--prefer-offline', tarball], dir);
    expect(installed.status, installed.stderr).toBe(0);
    const bin = join(prefix, 'bin', 'brewline');
    const empty = join(dir, 'empty');
    mkdirSync(empty);
    const run = (args: readonly string[]) =>
      spawnSync(bin, args, { cwd: empty, env: cleanEnv(), encoding: 'utf8', timeout: 60_000 });
    const help = run(['--help']);
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: brewline');
    expect(help.stdout).toContain('demo');
    expect(run(['--version']).stdout).toMatch(/^brewline \d+\.\d+\.\d+ \(commit \S+/);
    // `brewline demo --duration 5s | cat`
    const demo = spawnSync('sh', ['-c', `"${bin}" demo --duration 5s | cat`], {
      cwd: empty,
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: 90_000,
    });
    expect(demo.status, demo.stderr).toBe(0);
    expect(demo.stdout).toMatch(/orders/);
    expect(existsSync(join(empty, '.brewline', 'demo.duckdb'))).toBe(true);
  });
});
