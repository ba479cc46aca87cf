import { z } from 'zod';
import { FAULT_KINDS, type FaultKind } from '../domain/ledger.js';
import { HOUR_MS, MINUTE_MS, NEPAL_OFFSET_MS } from '../domain/time.js';
import { bool, durationMs, int, positiveInt } from './fields.js';
import type { EnvBinding } from './load.js';

/**
 * The load generator's settings. Volume (what is generated: seed, orders per hour, profile, branches,
 * faults, start, duration/orders) decides the events; pace (speed or rate, batch size, linger) only decides
 * when they are sent, so it never changes a byte of output.
 */

/** Default simulated start: the chain opens at 07:00 Nepal time on 1 January 2026 (fixed so runs repeat). */
export const DEFAULT_START = '2026-01-01T07:00:00+05:45';

const START_RE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Parses `--start`: ISO-8601 date or date-time; without a zone it is Nepal local time. */
export function parseStart(text: string): number | undefined {
  const m = START_RE.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '0', zone] = m;
  const month = Number(mo);
  const day = Number(d);
  if (month < 1 || month > 12 || day < 1 || day > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return undefined;
  const local = Date.UTC(
    Number(y),
    month - 1,
    day,
    Number(h),
    Number(mi),
    Number(s),
    Number(frac.padEnd(3, '0')),
  );
  if (new Date(local).getUTCDate() !== day) return undefined;
  let offsetMs = NEPAL_OFFSET_MS;
  if (zone === 'Z') offsetMs = 0;
  else if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMs = sign * (Number(digits.slice(0, 2)) * HOUR_MS + Number(digits.slice(2)) * MINUTE_MS);
  }
  return local - offsetMs;
}

const startField = () =>
  z.preprocess(
    (v) => {
      if (v instanceof Date) return v.getTime();
      // `now` trades reproducibility for live timestamps; the ledger records the resolved start, so the run can be replayed.
      if (typeof v === 'string' && v.trim().toLowerCase() === 'now') return Date.now();
      if (typeof v === 'string') return parseStart(v) ?? v;
      return v;
    },
    z.number({ error: 'expected an ISO-8601 date-time like 2026-01-01T07:00:00+05:45' }).int(),
  );

/** `max` or a positive number of simulated seconds per real second. */
const speedField = () =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const t = v.trim().toLowerCase();
      if (t === 'max') return 'max';
      const n = Number(t.replace(/x$/, ''));
      return t !== '' && Number.isFinite(n) ? n : v;
    },
    z.union([z.literal('max'), z.number().positive()], {
      error: 'expected "max" or a positive number of simulated seconds per real second, e.g. 60',
    }),
  );

const positiveNumber = (what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v),
    z.number({ error: `expected ${what}` }).positive(`expected ${what}`),
  );

/** Parses `late=0.02,duplicate=0.01` (or `none`) into an object; objects from a config file pass through. */
export function parseFaultSpec(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const text = value.trim();
  if (text === '' || text === 'none') return {};
  const out: Record<string, unknown> = {};
  for (const part of text.split(',')) {
    const [kind = '', rate, ...rest] = part.split('=').map((s) => s.trim());
    if (rate === undefined || rest.length > 0 || kind === '') return value;
    out[kind] = rate !== '' && Number.isFinite(Number(rate)) ? Number(rate) : rate;
  }
  return out;
}

const rate = () =>
  z
    .number({ error: 'expected a fraction between 0 and 1, e.g. 0.01' })
    .min(0, 'expected a fraction between 0 and 1, e.g. 0.01')
    .max(1, 'expected a fraction between 0 and 1, e.g. 0.01')
    .default(0);

/** Kinds that replace an order (at most one per order); `duplicate` is added on top of a sent order. */
export const EXCLUSIVE_FAULTS = ['late', 'very_late', 'malformed', 'invalid', 'oversize'] as const;

const faultsField = () =>
  z.preprocess(
    parseFaultSpec,
    z
      .object(
        Object.fromEntries(FAULT_KINDS.map((k) => [k, rate()])) as Record<FaultKind, ReturnType<typeof rate>>,
        { error: 'expected kind=rate pairs like late=0.02,duplicate=0.01' },
      )
      .strict()
      .refine((f) => EXCLUSIVE_FAULTS.reduce((s, k) => s + f[k], 0) <= 1, {
        error: 'late + very_late + malformed + invalid + oversize must not exceed 1',
      }),
  );

/** `--branches 5` (the first five) or `--branches "Jhamsikhel,Boudha"`. */
const branchesField = () =>
  z.preprocess(
    (v) => {
      if (typeof v === 'string') {
        const t = v.trim();
        if (/^\d+$/.test(t)) return Number(t);
        return t
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s.length > 0);
      }
      return v;
    },
    z.union([z.number().int().positive(), z.array(z.string().min(1)).min(1)], {
      error: 'expected a number of branches or a comma-separated list of branch names',
    }),
  );

export interface ShardSpec {
  /** 0-based shard number. */
  index: number;
  /** Number of shards the branches are split into. */
  count: number;
}

const shardField = () =>
  z.preprocess(
    (v) => {
      if (typeof v !== 'string') return v;
      const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
      return m ? { index: Number(m[1]), count: Number(m[2]) } : v;
    },
    z
      .object(
        { index: z.number().int().min(0), count: z.number().int().min(1) },
        { error: 'expected i/n with 0 ≤ i < n, e.g. 0/4' },
      )
      .strict()
      .refine((s) => s.index < s.count, { error: 'expected i/n with 0 ≤ i < n, e.g. 0/4' }),
  );

export const simulatorConfigSchema = z
  .object({
    /** Seed of every random stream: the same seed and volume settings give byte-identical events. @default 1 */
    seed: positiveInt().default(1),
    /** Chain-wide orders per simulated hour at the day's peak. @default 12000 */
    ordersPerHour: positiveNumber('a positive number of orders per simulated hour').default(12_000),
    /** Time-of-day demand: `daily` (morning and afternoon peaks) or `flat`. @default 'daily' */
    profile: z.enum(['daily', 'flat'], { error: 'expected "daily" or "flat"' }).default('daily'),
    /** Simulated seconds per real second, or `max` to backfill as fast as possible. @default 60 (unless rate is set) */
    speed: speedField().optional(),
    /** Sugar for the speed that sends this many orders per real second at the day's peak. */
    rate: positiveNumber('a positive number of orders per real second').optional(),
    /** Simulated start, epoch ms (ISO-8601 in files/env/flags; no zone = Nepal time; `now` = the real time). @default 2026-01-01T07:00:00+05:45 */
    start: startField().default(parseStart(DEFAULT_START)!),
    /** Span of SIMULATED time to generate (so output does not depend on pace); unbounded when unset. */
    duration: durationMs()
      .refine((ms) => ms > 0, 'expected a positive duration like 10m or 2h')
      .optional(),
    /** Stop after this many generated messages (orders and injected faults, oversize included). */
    orders: positiveInt().optional(),
    /** The first n branches of the catalog, or a list of branch names. @default all */
    branches: branchesField().optional(),
    /** Fault rates per kind, as fractions of orders. @default none */
    faults: faultsField().default({
      late: 0,
      very_late: 0,
      duplicate: 0,
      malformed: 0,
      invalid: 0,
      oversize: 0,
    }),
    /**
     * Wire form of the orders: 1 (DOMAIN.md) or 0, the chain's original events — no schema_version,
     * terminal_id, currency or category, Python-printed naive UTC timestamps — for the original notebooks'
     * readers. @default 1
     */
    schemaVersion: int()
      .refine((v) => v === 0 || v === 1, 'expected 0 or 1')
      .transform((v) => v as 0 | 1)
      .default(1),
    /** Write the ground-truth ledger JSON here at the end of the run. */
    ledger: z.string().min(1).optional(),
    /** Emit only this shard's branches (`i/n`); n shards together emit exactly the unsharded stream. */
    shard: shardField().optional(),
    /** Messages per send. @default the sink's preferred batch size */
    batchSize: positiveInt().optional(),
    /** Longest a partial batch waits for more messages (real time) before it is sent. @default 20 */
    lingerMs: durationMs().default(20),
    /** Largest event the producer sends; larger ones are rejected before any sink (Event Hubs' limit). @default 1048576 */
    maxEventBytes: positiveInt().default(1_048_576),
    /** Gold window the ledger's expected rows use; match the pipeline's. */
    window: z
      .object({
        /** @default 1h */
        duration: durationMs()
          .refine((ms) => ms > 0, 'expected a positive duration')
          .default(HOUR_MS),
        /** Window start offset from the epoch (Spark's startTime). @default 15m (Nepal hours) */
        offset: durationMs().default(15 * MINUTE_MS),
      })
      .strict()
      .default({ duration: HOUR_MS, offset: 15 * MINUTE_MS }),
    /** The pipeline's watermark delay: `late` lags less than it, `very_late` more than window + delay. @default 10m */
    watermarkDelay: durationMs()
      .refine((ms) => ms >= 2000, 'expected at least 2s')
      .default(10 * MINUTE_MS),
    /** Print the final summary as one JSON object. @default false */
    json: bool().default(false),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.speed !== undefined && c.rate !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['rate'],
        message: 'set either speed or rate, not both (rate is sugar for a speed)',
      });
    }
    if (c.window.offset >= c.window.duration) {
      ctx.addIssue({
        code: 'custom',
        path: ['window', 'offset'],
        message: 'the window offset must be smaller than the window duration',
      });
    }
  });

export type SimulatorConfig = z.output<typeof simulatorConfigSchema>;

/** Environment variables for the simulator section (the Docker image is configured with these). */
export const SIMULATOR_ENV: readonly EnvBinding[] = [
  { env: 'BREWLINE_SEED', path: 'simulator.seed' },
  { env: 'BREWLINE_ORDERS_PER_HOUR', path: 'simulator.ordersPerHour' },
  { env: 'BREWLINE_PROFILE', path: 'simulator.profile' },
  { env: 'BREWLINE_SPEED', path: 'simulator.speed' },
  { env: 'BREWLINE_RATE', path: 'simulator.rate' },
  { env: 'BREWLINE_START', path: 'simulator.start' },
  { env: 'BREWLINE_DURATION', path: 'simulator.duration' },
  { env: 'BREWLINE_ORDERS', path: 'simulator.orders' },
  { env: 'BREWLINE_BRANCHES', path: 'simulator.branches' },
  { env: 'BREWLINE_FAULTS', path: 'simulator.faults' },
  { env: 'BREWLINE_LEDGER', path: 'simulator.ledger' },
  { env: 'BREWLINE_SHARD', path: 'simulator.shard' },
  { env: 'BREWLINE_BATCH_SIZE', path: 'simulator.batchSize' },
  { env: 'BREWLINE_MAX_EVENT_BYTES', path: 'simulator.maxEventBytes' },
  { env: 'BREWLINE_JSON', path: 'simulator.json' },
];
