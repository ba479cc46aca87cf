import { systemClock, type Clock } from './domain/clock.js';
import { BrewlineError } from './errors.js';

/** One retrier for every backend (STYLE.md 9): exponential backoff with full jitter. */
export interface RetryOptions {
  /** @default 5 */
  retries?: number;
  /** @default 100 */
  initialDelayMs?: number;
  /** @default 10_000 */
  maxDelayMs?: number;
  /** @default 2 */
  factor?: number;
  clock?: Clock;
  signal?: AbortSignal;
  /** Random source in [0, 1) for jitter. @default Math.random */
  random?: () => number;
  /** Decides whether an error is worth retrying. @default BrewlineError.retriable or a network error code */
  isRetriable?: (error: unknown) => boolean;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

export function isRetriableByDefault(error: unknown): boolean {
  if (error instanceof BrewlineError) return error.retriable;
  if (error instanceof TypeError || error instanceof RangeError || error instanceof SyntaxError) return false;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return true;
  const retriable = (error as { retriable?: unknown } | null)?.retriable;
  return retriable === true;
}

export async function retry<T>(
  operation: (attempt: number) => Promise<T>,
  options: RetryOptions = {},
): Promise<T> {
  const retries = options.retries ?? 5;
  const initial = options.initialDelayMs ?? 100;
  const max = options.maxDelayMs ?? 10_000;
  const factor = options.factor ?? 2;
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const isRetriable = options.isRetriable ?? isRetriableByDefault;
  for (let attempt = 0; ; attempt++) {
    try {
      return await operation(attempt);
    } catch (error) {
      if (attempt >= retries || !isRetriable(error) || options.signal?.aborted) throw error;
      const ceiling = Math.min(max, initial * factor ** attempt);
      const delay = Math.round(ceiling / 2 + (random() * ceiling) / 2);
      options.onRetry?.(error, attempt + 1, delay);
      await clock.sleep(delay, options.signal);
    }
  }
}
