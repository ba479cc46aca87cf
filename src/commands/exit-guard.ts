/** How long a finished long-running command may take to let go of its last handles. */
export const EXIT_GRACE_MS = 3_000;

/**
 * Makes sure a finished long-running command (`pipeline run`, `lag`) ends: a broker SDK whose connection never
 * opened can keep sockets and timers alive forever after everything was closed. The timer is unref'd, so a
 * process that ends by itself is never held up by it.
 */
export function exitWhenDone(graceMs = EXIT_GRACE_MS): void {
  setTimeout(() => process.exit(process.exitCode ?? 0), graceMs).unref();
}
