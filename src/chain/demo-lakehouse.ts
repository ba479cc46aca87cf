import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { ConfigError } from '../errors.js';

/** Marks a lakehouse (file or directory) as the demo's own, so a later demo may replace it and nothing else is ever deleted. */
export const demoMarkerOf = (lakehouse: string): string => `${lakehouse}.demo`;

/**
 * Starts a demo from an empty lakehouse and checkpoint (the in-process bus starts empty too), refusing to
 * delete data that is not the demo's, then marks the lakehouse as the demo's.
 */
export function prepareDemoLakehouse(lakehouse: string, checkpoint: string, defaultPath: string): void {
  const marker = demoMarkerOf(lakehouse);
  const owner = existsSync(marker) ? Number(/pid (\d+)/.exec(readFileSync(marker, 'utf8'))?.[1]) : NaN;
  if (Number.isInteger(owner) && owner !== process.pid && isAlive(owner)) {
    throw new ConfigError(`another brewline demo (pid ${owner}) is using ${lakehouse}`, {
      hint: 'stop it first, or give this one its own --lakehouse',
    });
  }
  if (existsSync(lakehouse) && !existsSync(marker)) {
    throw new ConfigError(
      `${lakehouse} exists and was not made by \`brewline demo\`; the demo will not replace it`,
      {
        hint: `pass another --lakehouse (default ${defaultPath}), or delete it yourself`,
      },
    );
  }
  for (const path of [lakehouse, `${lakehouse}.wal`, checkpoint])
    rmSync(path, { recursive: true, force: true });
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(
    marker,
    `made by \`brewline demo\` (pid ${process.pid}); the next demo replaces this lakehouse\n`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else — still alive.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
