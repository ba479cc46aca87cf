import type { Verdict } from '../monitor/health-verdict.js';

/** Semantic colours; views ask for a role, never a raw colour, so NO_COLOR is one switch. */
export type Tone = 'ok' | 'warn' | 'bad' | 'accent' | 'focus' | 'bar' | 'line' | 'orders';

const PALETTE: Readonly<Record<Tone, string>> = {
  ok: 'green',
  warn: 'yellow',
  bad: 'red',
  accent: 'cyan',
  focus: 'cyanBright',
  bar: 'blue',
  line: 'magenta',
  orders: 'cyan',
};

export interface Theme {
  /** False under NO_COLOR: no colour codes at all; bold, dim and inverse still mark emphasis. */
  readonly color: boolean;
  /** The colour name for Ink's `color` prop, or undefined without colour. */
  tone(tone: Tone | undefined): string | undefined;
}

export function createTheme(color: boolean): Theme {
  return { color, tone: (tone) => (color && tone ? PALETTE[tone] : undefined) };
}

/** https://no-color.org: any non-empty NO_COLOR disables colour. Ink's chalk does not check it itself. */
export function themeFromEnv(env: NodeJS.ProcessEnv = process.env): Theme {
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  return createTheme(!noColor);
}

export function verdictTone(verdict: Verdict | undefined): Tone | undefined {
  switch (verdict) {
    case 'OK':
      return 'ok';
    case 'WARN':
      return 'warn';
    case 'ERR':
    case 'STALL':
    case 'STOP':
    case 'REWIND':
    case 'STALE':
    case 'DOWN':
      return 'bad';
    default:
      return undefined;
  }
}

/** Colour of a number against its thresholds: green below warn, yellow from warn, red from err. */
export function levelTone(level: 'ok' | 'warn' | 'err', quietWhenOk = false): Tone | undefined {
  if (level === 'err') return 'bad';
  if (level === 'warn') return 'warn';
  return quietWhenOk ? undefined : 'ok';
}
