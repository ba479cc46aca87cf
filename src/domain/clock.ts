/**
 * Time is injected (STYLE.md 6): everything that waits or reads "now" takes a Clock, so tests run in
 * virtual time without real sleeps.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` on this clock; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const timer = setTimeout(
        () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        Math.max(0, ms),
      );
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

interface Sleeper {
  at: number;
  seq: number;
  resolve: () => void;
}

/** A manually advanced clock for tests: `advance(ms)` fires every sleeper due, in order. */
export class VirtualClock implements Clock {
  private current: number;
  private sleepers: Sleeper[] = [];
  private seq = 0;

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const onAbort = (): void => {
        this.sleepers = this.sleepers.filter((s) => s !== sleeper);
        reject(signal?.reason);
      };
      const sleeper: Sleeper = {
        at: this.current + Math.max(0, ms),
        seq: this.seq++,
        resolve: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      this.sleepers.push(sleeper);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Lets pending work run until some task is asleep on this clock again: a loop catching up after `advance`
   * yields with setImmediate as often as real time (a loaded machine) dictates, so a fixed number of turns is
   * a wall-clock guess. Bounded: rejects after `maxTurns` turns with nothing asleep.
   */
  async untilSleeping(maxTurns = 1_000_000): Promise<void> {
    for (let turn = 0; this.sleepers.length === 0; turn++) {
      if (turn >= maxTurns) throw new Error(`nothing slept on the virtual clock within ${maxTurns} turns`);
      await settle();
    }
  }

  /** Number of pending sleepers (useful to assert that something is waiting). */
  get pending(): number {
    return this.sleepers.length;
  }

  /**
   * Moves time forward, resolving due sleepers in time order. Before each step it lets pending work run (one
   * macrotask turn), so a task that is about to call `sleep` gets to do so before time moves past it.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      await settle();
      this.sleepers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.sleepers[0];
      if (!next || next.at > target) break;
      this.sleepers.shift();
      this.current = next.at;
      next.resolve();
    }
    this.current = target;
    await settle();
  }
}

/** Lets queued microtasks and one turn of I/O callbacks run; not a timed sleep. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
