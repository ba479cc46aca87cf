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

/** The OS failures a user can fix (permissions, full or read-only disks, open-file limits, wrong paths). */
const OS_ERRORS: Readonly<Record<string, { what: string; fix: string }>> = {
  EACCES: { what: 'permission denied', fix: 'make it writable for this user, or choose another path' },
  EPERM: { what: 'operation not permitted', fix: 'check its owner and permissions, or choose another path' },
  EROFS: { what: 'read-only file system', fix: 'choose a path on a writable file system' },
  ENOSPC: {
    what: 'no space left on device',
    fix: 'free some space or choose another disk; a pipeline resumes from its checkpoint',
  },
  EDQUOT: { what: 'disk quota exceeded', fix: 'free some space or raise the quota' },
  EMFILE: {
    what: 'too many open files',
    fix: 'raise the limit (`ulimit -n 65536`) or close what holds files open',
  },
  ENFILE: { what: 'too many open files on this machine', fix: 'close other programs or raise fs.file-max' },
  ENOENT: { what: 'does not exist', fix: 'create the directory or correct the path' },
  ENOTDIR: { what: 'a part of the path is not a directory', fix: 'correct the path' },
  EISDIR: { what: 'is a directory', fix: 'give a file path, not a directory' },
};

/** The same failures as DuckDB (and other native code) reports them: in text only. */
const OS_ERROR_TEXT: readonly (readonly [RegExp, string])[] = [
  [/no space left on device/i, 'ENOSPC'],
  [/read-only file system/i, 'EROFS'],
  [/permission denied/i, 'EACCES'],
  [/too many open files/i, 'EMFILE'],
  [/disk quota exceeded/i, 'EDQUOT'],
];

export interface OsErrorInfo {
  readonly code: string;
  readonly path: string | undefined;
  readonly syscall: string | undefined;
}

/** The user-fixable OS error in `error` or its causes, if there is one. */
export function osErrorOf(error: unknown): OsErrorInfo | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth++) {
    const e = current as NodeJS.ErrnoException;
    if (typeof e.code === 'string' && OS_ERRORS[e.code]) {
      return { code: e.code, path: e.path, syscall: e.syscall };
    }
    if (!(current instanceof BrewlineError)) {
      for (const [pattern, code] of OS_ERROR_TEXT) {
        if (pattern.test(e.message)) {
          return {
            code,
            path: /"([^"]+)"|'([^']+)'/.exec(e.message)?.slice(1).find(Boolean),
            syscall: undefined,
          };
        }
      }
    }
    current = current.cause;
  }
  return undefined;
}

const VERBS: Readonly<Record<string, string>> = {
  open: 'open',
  write: 'write',
  fsync: 'sync',
  mkdir: 'create',
  rename: 'replace',
  unlink: 'remove',
  scandir: 'list',
  access: 'write',
};

/**
 * The one shared translation of an OS error into one line naming the path and the fix (exit code 2), for
 * every command: the user can fix it, it is not a bug. `undefined` when `error` holds no such OS error.
 */
export function describeOsError(error: unknown): { message: string; exitCode: number } | undefined {
  if (error instanceof ConfigError) return undefined;
  const os = osErrorOf(error);
  if (!os) return undefined;
  const known = OS_ERRORS[os.code]!;
  const wrapper = error instanceof BrewlineError ? error : undefined;
  const subject = os.path ?? 'a file';
  let context = wrapper ? wrapper.message : `cannot ${VERBS[os.syscall ?? ''] ?? 'use'} ${subject}`;
  if (wrapper && os.path && !context.includes(os.path)) context += ` (${os.path})`;
  const fix = wrapper?.hint ?? known.fix;
  return {
    message: redact(`brewline: ${context}: ${known.what} (${os.code}) — ${fix}`),
    exitCode: EXIT_USAGE,
  };
}

/** Formats any thrown value for the terminal and picks the exit code. */
export function describeError(error: unknown): { message: string; exitCode: number } {
  const os = describeOsError(error);
  if (os) return os;
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
