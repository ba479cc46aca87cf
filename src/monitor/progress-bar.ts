import { formatCompact, formatCount, formatDuration } from './display-format.js';

/**
 * Progress of long work (`simulate` with a known end, `pipeline run --available-now`): on a terminal one
 * line rewritten in place, never wider than the terminal (so it never scrolls), with a bar, percentage,
 * rate and ETA; otherwise a plain line now and then, for logs.
 */
export interface ProgressState {
  /** Work done so far, in `unit`s. */
  readonly done: number;
  /** Work in all; undefined when the end is not known (no bar, percentage or ETA then). */
  readonly total: number | undefined;
  /** e.g. "orders", "records", "bytes". */
  readonly unit: string;
  /** Short facts after the numbers, e.g. "sim 2026-01-01 09:15 NPT · faults 120". */
  readonly detail?: string;
}

/** Tracks the rate over a sliding window of samples. */
export class RateMeter {
  private readonly samples: { atMs: number; done: number }[] = [];

  constructor(private readonly windowMs = 10_000) {}

  /** Adds a sample and returns the rate per second over the window (null until two samples). */
  sample(atMs: number, done: number): number | null {
    this.samples.push({ atMs, done });
    while (this.samples.length > 2 && atMs - this.samples[0]!.atMs > this.windowMs) this.samples.shift();
    const first = this.samples[0]!;
    const seconds = (atMs - first.atMs) / 1000;
    return seconds <= 0 ? null : (done - first.done) / seconds;
  }
}

const quantity = (n: number, unit: string): string =>
  unit === 'bytes' ? `${formatCompact(n)}B` : formatCount(n);

/** One progress line for `width` columns (at most width − 1 characters, so it never wraps). */
export function progressBarLine(state: ProgressState, rate: number | null, width: number): string {
  const parts: string[] = [];
  const { done, total, unit } = state;
  const fraction = total === undefined || total <= 0 ? undefined : Math.min(1, done / total);
  const numbers =
    total === undefined
      ? `${quantity(done, unit)} ${unit}`
      : `${quantity(done, unit)}/${quantity(total, unit)} ${unit}`;
  const rateText = rate === null ? '–/s' : `${formatCompact(Math.max(0, rate))}/s`;
  const eta =
    fraction === undefined || total === undefined
      ? undefined
      : fraction >= 1
        ? 'done'
        : rate === null || rate <= 0
          ? 'ETA –'
          : `ETA ${formatDuration(((total - done) / rate) * 1000)}`;
  const percent = fraction === undefined ? undefined : `${(Math.floor(fraction * 1000) / 10).toFixed(1)}%`;
  const tail = [percent, numbers, rateText, eta, state.detail].filter((p) => p !== undefined && p !== '');
  const limit = Math.max(10, width - 1);
  const text = tail.join('  ');
  if (fraction !== undefined) {
    const barWidth = Math.max(0, Math.min(30, limit - text.length - 3));
    if (barWidth >= 5) {
      const filled = Math.round(fraction * barWidth);
      parts.push(`[${'█'.repeat(filled)}${'░'.repeat(barWidth - filled)}]`);
    }
  }
  parts.push(text);
  const line = parts.join(' ');
  return line.length > limit ? `${line.slice(0, limit - 1)}…` : line;
}

export interface ProgressPrinterOptions {
  /** Where the line goes (stderr). */
  readonly stream: NodeJS.WriteStream;
  readonly read: () => ProgressState;
  /** @default 250 on a terminal */
  readonly ttyIntervalMs?: number;
  /** @default 10000 otherwise */
  readonly plainIntervalMs?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

/** Prints progress until `stop()`; on a terminal the line is erased at the end. */
export class ProgressPrinter {
  private timer: NodeJS.Timeout | undefined;
  private shown = false;
  private readonly meter = new RateMeter();
  private readonly tty: boolean;

  constructor(private readonly options: ProgressPrinterOptions) {
    this.tty = options.stream.isTTY === true;
  }

  /** The line as it would be printed now (also what plain output prints). */
  line(width: number): string {
    const state = this.options.read();
    const rate = this.meter.sample((this.options.now ?? Date.now)(), state.done);
    return progressBarLine(state, rate, width);
  }

  start(): void {
    const interval = this.tty
      ? (this.options.ttyIntervalMs ?? 250)
      : (this.options.plainIntervalMs ?? 10_000);
    this.line(200);
    this.timer = setInterval(() => {
      if (this.tty) {
        this.options.stream.write(`\r${this.line(this.options.stream.columns || 80)}\x1b[K`);
      } else {
        // Logs have no width: keep the line whole.
        this.options.stream.write(`${this.line(10_000)}\n`);
      }
      this.shown = true;
    }, interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.shown) this.options.stream.write('\r\x1b[K');
  }
}
