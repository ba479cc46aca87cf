import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDefaultCatalog } from '../../src/domain/catalog.js';
import { validateOrderText } from '../../src/domain/order-event.js';
import { cleanEnv, ensureBuilt, removeTempDir, REPO, tempDir } from '../helpers/cli.js';

/**
 * No Docker engine runs here, so this runs the image's exact entry command (ENTRYPOINT, from WORKDIR, with
 * the image's ENV) as the image would: no TTY, configured only through environment variables.
 */
const dockerfile = readFileSync(join(REPO, 'Dockerfile'), 'utf8');
const finalStage = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));

function imageEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  const joined = finalStage.replace(/\\\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^ENV\s+(.*)$/.exec(line.trim());
    if (!m) continue;
    for (const pair of m[1]!.trim().split(/\s+/)) {
      const [k, ...v] = pair.split('=');
      env[k!] = v.join('=');
    }
  }
  return env;
}

function entrypoint(): string[] {
  const m = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(finalStage);
  if (!m) throw new Error('Dockerfile has no exec-form ENTRYPOINT');
  return JSON.parse(m[1]!) as string[];
}

function runImage(extraEnv: Record<string, string>, flags: readonly string[] = []) {
  const [command, ...args] = entrypoint();
  return spawnSync(command === 'node' ? process.execPath : command!, [...args, ...flags], {
    cwd: REPO, // WORKDIR /app holds bin/, dist/ and node_modules/ like the repository root
    env: cleanEnv({ ...imageEnv(), ...extraEnv }),
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: 60_000,
  });
}

let dir: string;
beforeAll(() => {
  ensureBuilt();
  dir = tempDir('docker-e2e');
});
afterAll(() => removeTempDir(dir));

describe('Docker image entry', () => {
  it('is a multi-stage build on a slim Node image, running as a non-root user with `brewline simulate` as entry', () => {
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(finalStage).toMatch(/^FROM node:24[-\w.]*slim/m);
    expect(finalStage).toMatch(/^USER node$/m);
    expect(entrypoint()).toEqual(['node', 'bin/brewline.js', 'simulate']);
  });

  it('given only environment variables and no TTY, then it streams valid NDJSON orders to stdout and a summary to stderr', () => {
    const r = runImage({ BREWLINE_ORDERS: '500', BREWLINE_RATE: '100000', BREWLINE_SEED: '5' });
    expect(r.status, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(500);
    const catalog = loadDefaultCatalog();
    for (const line of lines) expect(validateOrderText(line, catalog).ok).toBe(true);
    expect(r.stderr).toContain('brewline simulate: finished');
    // eslint-disable-next-line no-control-regex
    expect(r.stderr + r.stdout).not.toMatch(/\x1b\[/);
  });

  it('writes a file and a ledger when the environment says so', () => {
    const r = runImage({
      BREWLINE_SINK: 'file',
      BREWLINE_OUT: join(dir, 'o.ndjson'),
      BREWLINE_LEDGER: join(dir, 'l.json'),
      BREWLINE_ORDERS: '1000',
      BREWLINE_RATE: '100000',
      BREWLINE_FAULTS: 'duplicate=0.05,malformed=0.01',
      BREWLINE_JSON: 'true',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'finished', messages: { sent: 1000 } });
    const ledger = JSON.parse(readFileSync(join(dir, 'l.json'), 'utf8')) as {
      faults: { duplicate: { count: number } };
    };
    expect(ledger.faults.duplicate.count).toBeGreaterThan(0);
    expect(readFileSync(join(dir, 'o.ndjson'), 'utf8').trim().split('\n')).toHaveLength(1000);
  });

  it('bakes in no default that conflicts with a flag: --speed max, --rate and --sink all work', () => {
    expect(imageEnv()).not.toHaveProperty('BREWLINE_RATE');
    expect(imageEnv()).not.toHaveProperty('BREWLINE_SPEED');
    const max = runImage({}, ['--orders', '300', '--speed', 'max', '--seed', '2']);
    expect(max.status, max.stderr).toBe(0);
    expect(max.stdout.trim().split('\n')).toHaveLength(300);
    const rate = runImage({}, ['--orders', '50', '--rate', '5000']);
    expect(rate.status, rate.stderr).toBe(0);
    const file = runImage({}, [
      '--orders',
      '20',
      '--speed',
      'max',
      '--sink',
      'file',
      '--out',
      join(dir, 'f.ndjson'),
    ]);
    expect(file.status, file.stderr).toBe(0);
    expect(readFileSync(join(dir, 'f.ndjson'), 'utf8').trim().split('\n')).toHaveLength(20);
  });

  it('given a bad environment value, then one clear message and exit code 2', () => {
    const r = runImage({ BREWLINE_RATE: 'lots' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/simulator\.rate.*BREWLINE_RATE/);
  });
});
