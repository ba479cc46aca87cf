import { createServer, type Server, type Socket } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDir, spawnCli, tempDir, waitFor, type CliProcess } from '../helpers/cli.js';

/**
 * `--source kafka --brokers P` must keep the config file's `tls: true` (issue 10 item 4): a loopback listener
 * stands in for the broker and records the first bytes the client sends. A TLS client starts with a
 * handshake record (0x16 0x03 …); a plaintext Kafka client with a 4-byte length and an ApiVersions request.
 */
describe('flags never drop the config file’s TLS (issue 10 item 4)', () => {
  let server: Server | undefined;
  const sockets = new Set<Socket>();
  let child: CliProcess | undefined;
  let dir: string | undefined;

  afterEach(async () => {
    await child?.stop();
    for (const s of sockets) s.destroy();
    sockets.clear();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
    removeTempDir(dir);
  });

  it.each([
    ['pipeline run', ['pipeline', 'run', '--source', 'kafka', '--available-now']],
    ['lag', ['lag', '--source', 'kafka']],
  ])('%s --source kafka --brokers P speaks TLS when the file says tls: true', async (_name, args) => {
    let first: Buffer | undefined;
    server = createServer((socket) => {
      sockets.add(socket);
      socket.once('data', (chunk: Buffer) => (first ??= chunk));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    dir = tempDir('kafka-flag-tls');
    writeFileSync(
      join(dir, 'brewline.config.yaml'),
      'source:\n  kind: kafka\n  brokers: [10.255.255.1:9093]\n  tls: true\n  sasl: { mechanism: plain, username: pos, password: do-not-leak }\n',
    );
    child = spawnCli([...args, '--brokers', `127.0.0.1:${port}`, '--checkpoint', join(dir, 'cp')], {
      cwd: dir,
    });
    const bytes = await waitFor(() => first, {
      timeoutMs: 60_000,
      what: 'the client’s first bytes',
      detail: () => child!.stderr,
    });
    expect(bytes[0]).toBe(0x16);
    expect(bytes[1]).toBe(0x03);
    expect(bytes.toString('latin1')).not.toContain('do-not-leak');
  });
});
