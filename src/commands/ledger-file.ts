import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import type { Ledger } from '../domain/ledger.js';

/**
 * Writes a ledger so the file at `path` is always a whole ledger: to a temporary file beside it, synced, then
 * renamed over it (a crash leaves the old or the new one, never half of one). A path that exists and is not a
 * regular file (/dev/null, a pipe) is written directly.
 */
export function writeLedgerFile(path: string, ledger: Ledger): void {
  const text = `${JSON.stringify(ledger, null, 2)}\n`;
  let regular = true;
  try {
    regular = statSync(path).isFile();
  } catch {
    // Missing: it becomes a regular file.
  }
  if (!regular) {
    const fd = openSync(path, 'w');
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    const fd = openSync(tmp, 'w');
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

/** How often a running simulator rewrites its ledger, so a SIGKILL leaves a recent one, never a stale one. */
export const LEDGER_FLUSH_MS = 1000;

/**
 * Keeps the ledger at `path` current while a simulation runs: an empty partial ledger replaces any older file
 * at once, then the ledger of what was acknowledged so far every `intervalMs`, and `finish` writes the final
 * one. A SIGKILLed simulator leaves a partial ledger (`complete: false`) of everything acknowledged up to its
 * last flush, never one from an earlier run.
 */
export function persistLedger(
  path: string,
  current: () => Ledger,
  intervalMs = LEDGER_FLUSH_MS,
): { finish(final: Ledger): void } {
  writeLedgerFile(path, current());
  let failure: unknown;
  const timer = setInterval(() => {
    try {
      writeLedgerFile(path, current());
    } catch (error) {
      failure ??= error;
    }
  }, intervalMs);
  timer.unref();
  return {
    finish(final) {
      clearInterval(timer);
      writeLedgerFile(path, final);
      if (failure !== undefined) throw failure;
    },
  };
}
