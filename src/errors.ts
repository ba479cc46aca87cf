/**
 * One error family (STYLE.md 8): user-fixable errors carry a hint and print as one line without a stack;
 * bugs are reported as bugs. Every message passes through `redact` before it reaches a terminal.
 */
export interface BrewlineErrorOptions {
  cause?: unknown;
  retriable?: boolean;
  hint?: string;
}

export class BrewlineError extends Error {
  readonly retriable: boolean;
  readonly hint: string | undefined;

  constructor(message: string, options: BrewlineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.retriable = options.retriable ?? false;
    this.hint = options.hint;
  }
}

/** Bad flags, config or environment: exit code 2. */
export class ConfigError extends BrewlineError {}

/** A broker, file or database the user pointed at failed (auth, unreachable, missing topic…): exit code 1. */
export class ExternalError extends BrewlineError {}

/** Data that breaks an invariant we guarantee (corrupt checkpoint, mismatched query): exit code 1. */
export class DataIntegrityError extends BrewlineError {}

/** A programming error: printed with its stack so it can be reported. */
export class BugError extends BrewlineError {}

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

const SECRET_PATTERNS: RegExp[] = [
  /(SharedAccessKey=)[^;'"\s]+/gi,
  /(AccountKey=)[^;'"\s]+/gi,
  /(SharedAccessSignature\s+sr=)[^'"\s]+/gi,
  /(sig=)[^&;'"\s]+/gi,
  /(password["']?\s*[:=]\s*["']?)[^"',\s}]+/gi,
  /(token["']?\s*[:=]\s*["']?)[^"',\s}]+/gi,
  /(Authorization:\s*Bearer\s+)\S+/gi,
  /(dapi)[0-9a-f]{16,}/gi,
  /(\/\/[^:/\s]+:)[^@/\s]+(@)/g,
];

/** Removes secrets (SAS keys, passwords, tokens, URL credentials) from text meant for humans or logs. */
export function redact(text: string): string {
  let out = text;
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (_match, prefix: string, suffix?: string) =>
      typeof suffix === 'string' && suffix === '@' ? `${prefix}***${suffix}` : `${prefix}***`,
    );
  }
  return out;
}

/** Formats any thrown value for the terminal and picks the exit code. */
export function describeError(error: unknown): { message: string; exitCode: number } {
  if (error instanceof ConfigError) {
    const hint = error.hint ? `\n  hint: ${error.hint}` : '';
    return { message: redact(`brewline: ${error.message}${hint}`), exitCode: EXIT_USAGE };
  }
  if (error instanceof BrewlineError && !(error instanceof BugError)) {
    const hint = error.hint ? `\n  hint: ${error.hint}` : '';
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    return { message: redact(`brewline: ${error.message}${cause}${hint}`), exitCode: EXIT_FAILURE };
  }
  const stack = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return {
    message: redact(`brewline: internal error (a bug — please report it):\n${stack}`),
    exitCode: EXIT_FAILURE,
  };
}
