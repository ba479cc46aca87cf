/**
 * A real azurite blob service (the npm package, run as a child process) on a free loopback port, in memory,
 * for tests of what brewline reads from Azure Blob Storage (the Event Hubs blob checkpoint store).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { REPO, removeTempDir, tempDir } from './cli.js';

/** azurite's well-known development account (public, documented by Microsoft: not a secret). */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

/** A running azurite blob service. */
export interface Azurite {
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  readonly blobEndpoint: string;
  /** A storage connection string for the development account. */
  readonly connectionString: string;
  /** Stops the process and removes its workspace. */
  stop(): Promise<void>;
}

/** Starts azurite-blob on 127.0.0.1 with port 0 and resolves once it says which port it listens on. */
export async function startAzurite(timeoutMs = 30_000): Promise<Azurite> {
  const workspace = tempDir('azurite');
  const child: ChildProcessByStdio<null, Readable, Readable> = spawn(
    process.execPath,
    [
      join(REPO, 'node_modules', 'azurite', 'dist', 'src', 'blob', 'main.js'),
      '--blobHost',
      '127.0.0.1',
      '--blobPort',
      '0',
      '--inMemoryPersistence',
      '--extentMemoryLimit',
      '64',
      '--skipApiVersionCheck',
      '--disableTelemetry',
      '--disableProductStyleUrl',
      '--silent',
    ],
    // In memory (azurite refuses --location with it); its cwd is a temp dir so nothing lands in the repo.
    { cwd: workspace, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`azurite did not start within ${timeoutMs} ms:\n${output}`)),
        timeoutMs,
      );
      const onData = (chunk: Buffer): void => {
        output += chunk.toString('utf8');
        const match = /listens on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
        if (match) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`azurite exited with code ${code} before listening:\n${output}`));
      });
    });
    const blobEndpoint = `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`;
    return {
      blobEndpoint,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`,
      async stop() {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        // azurite closes gracefully on SIGTERM; should it hang, it must not outlive the test.
        const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(force);
        removeTempDir(workspace);
      },
    };
  } catch (error) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    removeTempDir(workspace);
    throw error;
  }
}
