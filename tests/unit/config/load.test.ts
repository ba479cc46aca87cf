import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { int, durationMs, list } from '../../../src/config/fields.js';
import { loadConfig } from '../../../src/config/load.js';
import { ConfigError } from '../../../src/errors.js';

const schema = z
  .object({
    sim: z
      .object({
        seed: int().default(1),
        every: durationMs().default(1000),
        names: list(z.string()).default([]),
      })
      .strict()
      .default({ seed: 1, every: 1000, names: [] }),
  })
  .strict();

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'brewline-config-'));
}

describe('config: file, then env, then flags', () => {
  it('uses defaults when nothing is set', () => {
    const { config, file } = loadConfig(schema, { cwd: tempDir(), env: {} });
    expect(file).toBeUndefined();
    expect(config.sim).toEqual({ seed: 1, every: 1000, names: [] });
  });

  it('lets env override the file and flags override env', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'brewline.config.yaml'), 'sim:\n  seed: 3\n  every: 5s\n');
    const envBindings = [
      { env: 'X_SEED', path: 'sim.seed' },
      { env: 'X_NAMES', path: 'sim.names' },
    ];
    const fromEnv = loadConfig(schema, { cwd: dir, env: { X_SEED: '4', X_NAMES: 'a, b' }, envBindings });
    expect(fromEnv.config.sim).toEqual({ seed: 4, every: 5000, names: ['a', 'b'] });
    const fromFlag = loadConfig(schema, {
      cwd: dir,
      env: { X_SEED: '4' },
      envBindings,
      flags: [{ path: 'sim.seed', flag: '--seed', value: '9' }],
    });
    expect(fromFlag.config.sim.seed).toBe(9);
  });

  it('names the field, the value and where it came from', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'brewline.config.json'), JSON.stringify({ sim: { seed: 'seven' } }));
    try {
      loadConfig(schema, { cwd: dir, env: {} });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as ConfigError).message;
      expect(message).toContain('sim.seed');
      expect(message).toContain('"seven"');
      expect(message).toContain('brewline.config.json');
    }
    expect(() =>
      loadConfig(schema, {
        cwd: tempDir(),
        env: {},
        flags: [{ path: 'sim.every', flag: '--every', value: 'soon' }],
      }),
    ).toThrow(/sim\.every.*"soon".*--every/);
  });

  it('shows the raw text the user wrote when the schema expanded it (a list flag, say)', () => {
    const strict = z.object({ names: list(z.string().min(2, 'expected at least 2 characters')) }).strict();
    expect(() =>
      loadConfig(strict, {
        cwd: tempDir(),
        env: {},
        flags: [{ path: 'names', flag: '--names', value: 'ok,x' }],
      }),
    ).toThrow(/names\.1: expected at least 2 characters, got "ok,x" \(from --names\)/);
  });

  it('rejects unknown keys and unparseable files clearly', () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'brewline.config.yaml'), 'sim:\n  sede: 3\n');
    expect(() => loadConfig(schema, { cwd: dir, env: {} })).toThrow(/sede/);
    const bad = tempDir();
    writeFileSync(join(bad, 'brewline.config.yaml'), 'sim: [unclosed\n');
    expect(() => loadConfig(schema, { cwd: bad, env: {} })).toThrow(ConfigError);
    expect(() => loadConfig(schema, { cwd: bad, env: {}, configPath: 'missing.yaml' })).toThrow(
      /does not exist/,
    );
  });
});
