import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AccessToken, TokenCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EventHubsSink, EventHubsSource } from '../../../src/backends/eventhubs/index.js';
import {
  eventHubsSinkConfigSchema,
  eventHubsSourceConfigSchema,
} from '../../../src/config/eventhubs-config.js';
import { describeError } from '../../../src/errors.js';
import { EventHubsTestServer } from '../../fakes/eventhubs-server.js';

/**
 * Keyless sign-in: with --namespace the SDK connects over TLS (port 5671 in Azure) and puts an Entra ID
 * bearer token (type jwt, scope https://eventhubs.azure.net/.default) on $cbs. Here the test server serves
 * AMQPS with a throwaway self-signed certificate on loopback, reached through `customEndpoint`.
 */
describe('keyless Microsoft Entra ID sign-in', () => {
  let dir: string;
  let server: EventHubsTestServer;
  const previousTls = process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
  const scopes: string[] = [];

  function credential(token: string): TokenCredential {
    return {
      getToken: async (scope): Promise<AccessToken> => {
        scopes.push(...(Array.isArray(scope) ? scope : [scope]));
        return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'brewline-eh-tls-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    // The certificate is self-signed and the SDK offers no CA option: trust is switched off for this worker only.
    process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = '0';
    server = await EventHubsTestServer.start({
      tls: { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      bearerTokens: ['eyJ.entra-token.sig'],
    });
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    if (previousTls === undefined) delete process.env['NODE_TLS_REJECT_UNAUTHORIZED'];
    else process.env['NODE_TLS_REJECT_UNAUTHORIZED'] = previousTls;
  });

  const keyless = (): Record<string, unknown> => ({
    kind: 'eventhubs',
    namespace: 'hj-orders.servicebus.windows.net',
    hub: 'orders',
    customEndpoint: `sb://127.0.0.1:${server.port}`,
    timeoutMs: 10_000,
  });

  it('sends and reads with a bearer token from the credential, no key anywhere', async () => {
    const sink = new EventHubsSink(eventHubsSinkConfigSchema.parse(keyless()), {
      env: {},
      credential: credential('eyJ.entra-token.sig'),
    });
    await sink.open();
    expect(sink.description).toContain('(Microsoft Entra ID)');
    const receipt = await sink.send([{ key: 'Thamel', value: 'keyless' }]);
    await sink.close();
    expect(receipt.acked).toBe(1);
    const source = new EventHubsSource(eventHubsSourceConfigSchema.parse(keyless()), {
      env: {},
      credential: credential('eyJ.entra-token.sig'),
    });
    await source.open();
    const positions = await source.positions();
    const records = await source.read(
      positions.map((p) => ({ partition: p.partition, from: p.earliest, to: p.latest })),
    );
    await source.close();
    expect(records.map((r) => Buffer.from(r.value).toString('utf8'))).toEqual(['keyless']);
    expect(new Set(scopes)).toEqual(new Set(['https://eventhubs.azure.net//.default']));
  });

  it('reports a refused token with the role to check', async () => {
    const sink = new EventHubsSink(eventHubsSinkConfigSchema.parse(keyless()), {
      env: {},
      credential: credential('eyJ.someone-else.sig'),
    });
    const { message } = describeError(await sink.open().catch((e: unknown) => e));
    expect(message).toMatch(/Event Hubs refused the credentials .*\(Microsoft Entra ID\)/);
    expect(message).toMatch(/Azure Event Hubs Data Sender\/Receiver/);
  });
});
