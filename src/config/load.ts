import { existsSync, readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';

/** Where a config value came from, so an error can say which knob to turn. */
export type Origin =
  | { kind: 'file'; path: string }
  | { kind: 'env'; name: string }
  | { kind: 'flag'; flag: string }
  | { kind: 'default' };

/** Maps an environment variable to a dotted config path. */
export interface EnvBinding {
  readonly env: string;
  readonly path: string;
}

/** A value set by a command-line flag, with the flag's spelling for error messages. */
export interface FlagValue {
  readonly path: string;
  readonly flag: string;
  readonly value: unknown;
}

export const DEFAULT_CONFIG_FILES = ['brewline.config.yaml', 'brewline.config.yml', 'brewline.config.json'];

type Tree = Record<string, unknown>;

function setPath(tree: Tree, path: string, value: unknown): void {
  const parts = path.split('.');
  let node = tree;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    node = node[part] as Tree;
  }
  node[parts[parts.length - 1]!] = value;
}

function getPath(tree: unknown, path: readonly PropertyKey[]): unknown {
  let node = tree;
  for (const part of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[part];
  }
  return node;
}

function collectLeaves(tree: unknown, prefix: string, out: Map<string, true>): void {
  if (typeof tree !== 'object' || tree === null || Array.isArray(tree)) {
    out.set(prefix, true);
    return;
  }
  for (const [k, v] of Object.entries(tree)) collectLeaves(v, prefix ? `${prefix}.${k}` : k, out);
}

function describeOrigin(origin: Origin | undefined): string {
  switch (origin?.kind) {
    case 'file':
      return ` (from ${origin.path})`;
    case 'env':
      return ` (from environment variable ${origin.name})`;
    case 'flag':
      return ` (from ${origin.flag})`;
    default:
      return '';
  }
}

/** Field names whose values are secrets (passwords, keys, tokens, connection strings). */
const SECRET_FIELD = /password|secret|token|connectionstring|accountkey|accesskey|apikey|credential/i;

export function isSecretField(name: string): boolean {
  return SECRET_FIELD.test(name);
}

/** A copy of `value` with every secret field's value replaced by "***", at any depth and of any type. */
function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, isSecretField(k) ? '***' : maskSecrets(v)]),
  );
}

function showValue(value: unknown, path: readonly PropertyKey[]): string {
  if (value === undefined) return 'nothing';
  // A value under a secret field is never shown, whatever its type (a YAML number or list is still a secret).
  if (path.some((p) => typeof p === 'string' && isSecretField(p))) return '*** (hidden: a secret)';
  const text = JSON.stringify(maskSecrets(value)) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export interface LoadOptions {
  /** Explicit config file (`--config`); otherwise the first of DEFAULT_CONFIG_FILES in `cwd`, if any. */
  configPath?: string | undefined;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  envBindings?: readonly EnvBinding[];
  flags?: readonly FlagValue[];
}

export interface Loaded<T> {
  config: T;
  /** The config file used, if any. */
  file: string | undefined;
}

/** Reads the config file, then environment variables, then flags (each overriding the last), and validates once. */
export function loadConfig<S extends z.ZodType>(schema: S, options: LoadOptions = {}): Loaded<z.output<S>> {
  const cwd = options.cwd ?? process.cwd();
  const env = options.env ?? process.env;
  const origins = new Map<string, Origin>();
  let tree: Tree = {};

  let file: string | undefined;
  if (options.configPath !== undefined) {
    file = resolve(cwd, options.configPath);
    if (!existsSync(file)) {
      throw new ConfigError(`config file ${options.configPath} does not exist`, {
        hint: 'check --config / BREWLINE_CONFIG',
      });
    }
  } else {
    file = DEFAULT_CONFIG_FILES.map((f) => resolve(cwd, f)).find((f) => existsSync(f));
  }
  if (file) {
    let data: unknown;
    try {
      const text = readFileSync(file, 'utf8');
      data = extname(file) === '.json' ? JSON.parse(text) : parseYaml(text);
    } catch (error) {
      throw new ConfigError(
        `config file ${file} cannot be parsed: ${(error as Error).message.split('\n')[0]}`,
        {
          hint: 'fix the syntax, or remove the file to use defaults',
        },
      );
    }
    if (data !== null && data !== undefined) {
      if (typeof data !== 'object' || Array.isArray(data)) {
        throw new ConfigError(`config file ${file} must hold an object of settings`, {
          hint: 'e.g. `simulator:\\n  seed: 7`',
        });
      }
      tree = structuredClone(data as Tree);
      const leaves = new Map<string, true>();
      collectLeaves(tree, '', leaves);
      for (const leaf of leaves.keys()) origins.set(leaf, { kind: 'file', path: file });
    }
  }

  const overrides: { path: string; value: unknown; origin: Origin }[] = [];
  for (const binding of options.envBindings ?? []) {
    const value = env[binding.env];
    if (value === undefined || value === '') continue;
    overrides.push({ path: binding.path, value, origin: { kind: 'env', name: binding.env } });
  }
  for (const flag of options.flags ?? []) {
    if (flag.value === undefined) continue;
    overrides.push({ path: flag.path, value: flag.value, origin: { kind: 'flag', flag: flag.flag } });
  }
  // Env and flags override single fields, never whole sections: a section's `kind` is applied first (env, then
  // flags), and only a different kind starts that section afresh (the other kind's fields do not apply); the
  // remaining fields then override in order. So `--source kafka --brokers P` keeps the file's TLS and SASL.
  const isKind = (path: string): boolean => path === 'kind' || path.endsWith('.kind');
  for (const o of [...overrides.filter((o) => isKind(o.path)), ...overrides.filter((o) => !isKind(o.path))]) {
    if (isKind(o.path)) {
      const section = o.path.split('.').slice(0, -1);
      const current = getPath(tree, section);
      const currentKind =
        typeof current === 'object' && current !== null ? (current as Tree)['kind'] : undefined;
      if (section.length > 0 && currentKind !== undefined && currentKind !== o.value) {
        setPath(tree, section.join('.'), {});
        const prefix = `${section.join('.')}.`;
        for (const key of [...origins.keys()]) if (key.startsWith(prefix)) origins.delete(key);
      }
    }
    setPath(tree, o.path, o.value);
    origins.set(o.path, o.origin);
  }

  const parsed = schema.safeParse(tree);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    // The origin may be recorded on the exact leaf or on a parent (a whole object set at once).
    let origin: Origin | undefined;
    for (let i = issue.path.length; i > 0 && !origin; i--)
      origin = origins.get(issue.path.slice(0, i).map(String).join('.'));
    // The leaf may not exist in the raw tree when a string was expanded by the schema (e.g. `--faults
    // late=2` → faults.late): show the nearest raw value the user actually wrote.
    let value: unknown = getPath(tree, issue.path);
    let valuePath: readonly PropertyKey[] = issue.path;
    for (let i = issue.path.length - 1; i >= 0 && value === undefined; i--) {
      const raw = getPath(tree, issue.path.slice(0, i));
      if (raw !== undefined) {
        if (typeof raw !== 'object') {
          value = raw;
          valuePath = issue.path.slice(0, i);
        }
        break;
      }
    }
    const unknownKeys =
      issue.code === 'unrecognized_keys' ? ` ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}` : '';
    throw new ConfigError(
      `invalid config: ${path || '(root)'}: ${issue.message}${unknownKeys}${issue.code === 'unrecognized_keys' ? '' : `, got ${showValue(value, valuePath)}`}${describeOrigin(origin)}`,
      { hint: hintFor(origin, path) },
    );
  }
  return { config: parsed.data, file };
}

function hintFor(origin: Origin | undefined, path: string): string {
  switch (origin?.kind) {
    case 'flag':
      return `change ${origin.flag}; \`brewline <command> --help\` lists valid values`;
    case 'env':
      return `change or unset ${origin.name}`;
    case 'file':
      return `edit ${path} in ${origin.path}`;
    default:
      return `set ${path} in brewline.config.yaml, or pass the matching flag`;
  }
}
