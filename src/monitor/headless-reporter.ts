import { jsonLine } from './json-lines.js';
import type { MonitorSnapshot, MonitorStore } from './monitor-snapshot.js';
import { plainLine, plainSummary } from './plain-lines.js';

export type HeadlessFormat = 'plain' | 'json';

export interface HeadlessReporterOptions {
  readonly store: MonitorStore;
  readonly format: HeadlessFormat;
  /** Minimum time between two lines (measured on the snapshots' own clock). */
  readonly intervalMs: number;
  /** Where lines go (one call per line, without the newline). */
  readonly write: (line: string) => void;
  /** Shown in the summary's "check it" hint. */
  readonly lakehouse?: string | undefined;
}

/**
 * Headless rendering of the same store the TUI reads (STYLE.md 4): a line per report interval, driven by
 * the model's own updates (no timer of its own), and a summary when it finishes.
 */
export class HeadlessReporter {
  private readonly options: HeadlessReporterOptions;
  private unsubscribe: (() => void) | undefined;
  private lastPrintedAt = -Infinity;
  private lastReadings = 0;
  private lastError: string | undefined;

  constructor(options: HeadlessReporterOptions) {
    this.options = options;
  }

  start(): void {
    this.unsubscribe ??= this.options.store.subscribe(() => this.onChange(this.options.store.getSnapshot()));
  }

  private onChange(s: MonitorSnapshot): void {
    const fresh = s.readings > this.lastReadings;
    const newError = s.error !== undefined && s.error !== this.lastError;
    this.lastError = s.error;
    if (!fresh && !newError) return;
    if (!newError && s.nowMs - this.lastPrintedAt < this.options.intervalMs) return;
    this.print(s);
  }

  private print(s: MonitorSnapshot): void {
    this.lastPrintedAt = s.nowMs;
    this.lastReadings = s.readings;
    this.options.write(this.options.format === 'json' ? jsonLine(s) : plainLine(s));
  }

  /** Stops listening and prints the final state and summary. */
  finish(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    const s = this.options.store.getSnapshot();
    if (this.options.format === 'json') {
      this.options.write(jsonLine(s, 'summary'));
      return;
    }
    if (s.readings > this.lastReadings) this.print(s);
    for (const line of plainSummary(s, { lakehouse: this.options.lakehouse })) this.options.write(line);
  }
}
