import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { DEFAULT_CATALOG } from './default-catalog.js';
import { paisaFromJsonNumber, type Paisa } from './money.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24-hour)');

/** The on-disk / user-facing catalog shape (prices in NPR as JSON numbers). */
export const catalogInputSchema = z
  .object({
    timezone: z.literal('Asia/Kathmandu').default('Asia/Kathmandu'),
    opens: hhmm.default('07:00'),
    closes: hhmm.default('21:00'),
    branches: z
      .array(
        z
          .object({
            name: z.string().min(1),
            city: z.string().min(1).default('Kathmandu'),
            /** Relative branch size: scales its share of the chain's orders. */
            size: z.number().positive().default(1),
            /** Number of POS terminals (terminal ids are `<branch>-<n>`). */
            terminals: z.number().int().min(1).max(50).default(2),
            opens: hhmm.optional(),
            closes: hhmm.optional(),
          })
          .strict(),
      )
      .min(1),
    items: z
      .array(
        z
          .object({
            id: z.string().min(1),
            name: z.string().min(1),
            category: z.string().min(1),
            price: z.number().positive(),
            /** Relative popularity; the simulator uses a category default when absent. */
            weight: z.number().positive().optional(),
          })
          .strict(),
      )
      .min(1),
  })
  .strict();

export type CatalogInput = z.input<typeof catalogInputSchema>;

export interface Branch {
  readonly index: number;
  readonly name: string;
  readonly city: string;
  readonly size: number;
  readonly terminals: number;
  /** Opening and closing minute of the Nepal-local day. */
  readonly opensMinute: number;
  readonly closesMinute: number;
}

export interface MenuItem {
  readonly index: number;
  readonly id: string;
  readonly name: string;
  readonly category: string;
  readonly pricePaisa: Paisa;
  readonly weight: number | undefined;
}

export interface Catalog {
  readonly timezone: 'Asia/Kathmandu';
  readonly branches: readonly Branch[];
  readonly items: readonly MenuItem[];
  readonly branchByName: ReadonlyMap<string, Branch>;
  readonly itemById: ReadonlyMap<string, MenuItem>;
}

function minuteOf(text: string): number {
  const [h = '0', m = '0'] = text.split(':');
  return Number(h) * 60 + Number(m);
}

/** Validates and indexes a catalog; throws ConfigError naming the offending field. */
export function buildCatalog(input: unknown, origin = 'catalog'): Catalog {
  const parsed = catalogInputSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue?.path.join('.') ?? '';
    throw new ConfigError(`${origin}: ${path ? `${path}: ` : ''}${issue?.message ?? 'invalid catalog'}`, {
      hint: 'see README "Catalog" for the file format (branches[] and items[])',
    });
  }
  const c = parsed.data;
  const branches: Branch[] = c.branches.map((b, index) => ({
    index,
    name: b.name,
    city: b.city,
    size: b.size,
    terminals: b.terminals,
    opensMinute: minuteOf(b.opens ?? c.opens),
    closesMinute: minuteOf(b.closes ?? c.closes),
  }));
  const items: MenuItem[] = c.items.map((it, index) => {
    const pricePaisa = paisaFromJsonNumber(it.price);
    if (pricePaisa === undefined) {
      throw new ConfigError(
        `${origin}: items.${index}.price: ${it.price} is not an amount with at most 2 decimals`,
      );
    }
    return { index, id: it.id, name: it.name, category: it.category, pricePaisa, weight: it.weight };
  });
  const branchByName = new Map(branches.map((b) => [b.name, b]));
  const itemById = new Map(items.map((i) => [i.id, i]));
  if (branchByName.size !== branches.length) throw new ConfigError(`${origin}: branch names must be unique`);
  if (itemById.size !== items.length) throw new ConfigError(`${origin}: item ids must be unique`);
  for (const b of branches) {
    if (b.closesMinute <= b.opensMinute) {
      throw new ConfigError(`${origin}: branch ${JSON.stringify(b.name)} closes before it opens`);
    }
  }
  return { timezone: 'Asia/Kathmandu', branches, items, branchByName, itemById };
}

let defaultCatalog: Catalog | undefined;

export function loadDefaultCatalog(): Catalog {
  defaultCatalog ??= buildCatalog(DEFAULT_CATALOG, 'default catalog');
  return defaultCatalog;
}

/** Loads a user catalog from a `.json`, `.yaml` or `.yml` file. */
export function loadCatalogFile(path: string): Catalog {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`catalog file ${path} cannot be read`, {
      hint: 'check --catalog / BREWLINE_CATALOG',
      cause: error,
    });
  }
  let data: unknown;
  try {
    data = extname(path) === '.json' ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new ConfigError(
      `catalog file ${path} is not valid ${extname(path) === '.json' ? 'JSON' : 'YAML'}`,
      {
        cause: error,
      },
    );
  }
  return buildCatalog(data, `catalog file ${path}`);
}

/** Keeps only the named branches, or the first n, re-indexing them. */
export function selectBranches(catalog: Catalog, selector: number | readonly string[] | undefined): Catalog {
  if (selector === undefined) return catalog;
  let chosen: Branch[];
  if (typeof selector === 'number') {
    if (!Number.isInteger(selector) || selector < 1 || selector > catalog.branches.length) {
      throw new ConfigError(`--branches ${selector}: the catalog has ${catalog.branches.length} branches`, {
        hint: `use a number from 1 to ${catalog.branches.length}, or a comma-separated list of names`,
      });
    }
    chosen = catalog.branches.slice(0, selector);
  } else {
    chosen = selector.map((name) => {
      const b = catalog.branchByName.get(name);
      if (!b)
        throw new ConfigError(`--branches: unknown branch ${JSON.stringify(name)}`, {
          hint: 'names are as in the catalog, e.g. "Jhamsikhel"',
        });
      return b;
    });
  }
  const branches = chosen.map((b, index) => ({ ...b, index }));
  return { ...catalog, branches, branchByName: new Map(branches.map((b) => [b.name, b])) };
}
