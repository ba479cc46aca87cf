import { accessSync, constants, statSync, type Stats } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ExternalError } from '../errors.js';

/** What a command will write at a path: a file (created if missing) or a directory (created with its parents). */
export type OutputKind = 'file' | 'directory';

function errno(code: string, syscall: string, path: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { code, syscall, path });
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Checks before any work starts that `path` can be written as `kind` (`flag` names the setting in the error):
 * an existing target must be writable and of the right kind (a device such as /dev/null is a fine file); a
 * missing one needs its nearest existing ancestor to be a writable directory. Failures are the OS errors
 * `describeError` turns into one line naming the path and the fix (exit 2), found before a long run rather
 * than after it.
 */
export function checkOutputPath(path: string, kind: OutputKind, flag: string): void {
  const target = resolve(path);
  const fail = (error: unknown): never => {
    throw new ExternalError(`cannot write ${flag} ${target}`, { cause: error });
  };
  try {
    const existing = statOrUndefined(target);
    if (existing) {
      if (kind === 'file' && existing.isDirectory()) fail(errno('EISDIR', 'open', target));
      if (kind === 'directory' && !existing.isDirectory()) fail(errno('ENOTDIR', 'mkdir', target));
      accessSync(target, kind === 'directory' ? constants.W_OK | constants.X_OK : constants.W_OK);
      return;
    }
    let ancestor = dirname(target);
    let info = statOrUndefined(ancestor);
    while (!info && dirname(ancestor) !== ancestor) {
      ancestor = dirname(ancestor);
      info = statOrUndefined(ancestor);
    }
    if (!info) fail(errno('ENOENT', 'open', ancestor));
    if (!info!.isDirectory()) fail(errno('ENOTDIR', 'mkdir', ancestor));
    accessSync(ancestor, constants.W_OK | constants.X_OK);
  } catch (error) {
    if (error instanceof ExternalError) throw error;
    fail(error);
  }
}
