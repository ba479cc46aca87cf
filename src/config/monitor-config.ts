import { z } from 'zod';
import { durationMs, int, positiveInt } from './fields.js';
import type { EnvBinding } from './load.js';
import { DEFAULT_THRESHOLDS } from '../monitor/health-verdict.js';
import { parseThresholds } from '../monitor/thresholds.js';

/** Monitor, dashboard and status-endpoint settings (`brewline demo`, `brewline monitor`, `pipeline run --status-port`). */
export const monitorConfigSchema = z
  .object({
    /** How often the dashboard re-reads engine, lag and gold (the `+`/`-` keys change it live). @default 1000 (1s) */
    refresh: durationMs()
      .refine((ms) => ms >= 100 && ms <= 60_000, 'expected a refresh interval between 100ms and 60s')
      .default(1000),
    /** Headless reporters (`--plain`, `--json`, no TTY) print one line this often. @default 5000 (5s) */
    reportInterval: durationMs()
      .refine((ms) => ms >= 100, 'expected a report interval of at least 100ms')
      .default(5000),
    /** Observations per partition in the health verdict's sliding window (Burrow's `intervals`). @default 10 */
    verdictWindow: positiveInt()
      .refine((n) => n >= 2 && n <= 1000, 'expected a window of 2 to 1000 observations')
      .default(10),
    /**
     * Shortest silence of the engine that counts as STOP, even when the observation window spans less (fast
     * refresh rates would otherwise call an ordinary pause between triggers a stop). @default 10000 (10s)
     */
    stopAfter: durationMs().default(10_000),
    /**
     * Absolute health thresholds beside the trend rules, `name=WARN/ERR` (`-` = off): lag (age of the
     * oldest unprocessed record), backlog (records), watermark-gap (clock − watermark), since-batch (time
     * since the engine's last progress). @default "lag=30s/2m,backlog=10000/100000,watermark-gap=3h/12h,since-batch=30s/2m"
     */
    thresholds: z
      .string()
      .transform((text, ctx) => {
        const parsed = parseThresholds(text);
        if (typeof parsed === 'string') {
          ctx.addIssue({ code: 'custom', message: parsed });
          return z.NEVER;
        }
        return parsed;
      })
      .default(DEFAULT_THRESHOLDS),
    /** Status endpoint of a running `brewline pipeline run --status-port`, for `brewline monitor`. */
    url: z
      .string()
      .regex(/^https?:\/\/[^\s/]+(:\d+)?\/?$/, 'expected a URL like http://127.0.0.1:9464')
      .optional(),
    /**
     * Listen address of the status endpoint (`pipeline run`, `simulate`). Loopback keeps it to this machine;
     * `0.0.0.0` lets Prometheus scrape a container. @default 127.0.0.1
     */
    statusHost: z
      .string()
      .regex(/^[0-9a-zA-Z.:[\]-]+$/, 'expected an IP address or host name like 127.0.0.1 or 0.0.0.0')
      .default('127.0.0.1'),
    /** Port of the read-only status endpoint `pipeline run` serves on 127.0.0.1 (0 = any free port). */
    statusPort: int()
      .refine((p) => p >= 0 && p <= 65_535, 'expected a port between 0 and 65535')
      .optional(),
  })
  .strict();

export type MonitorConfig = z.output<typeof monitorConfigSchema>;

export const MONITOR_ENV: readonly EnvBinding[] = [
  { env: 'BREWLINE_REFRESH', path: 'monitor.refresh' },
  { env: 'BREWLINE_REPORT_INTERVAL', path: 'monitor.reportInterval' },
  { env: 'BREWLINE_MONITOR_URL', path: 'monitor.url' },
  { env: 'BREWLINE_STATUS_PORT', path: 'monitor.statusPort' },
  { env: 'BREWLINE_THRESHOLDS', path: 'monitor.thresholds' },
  { env: 'BREWLINE_STATUS_HOST', path: 'monitor.statusHost' },
];
