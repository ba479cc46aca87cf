import { describe, expect, it } from 'vitest';
import { resolveEventHubsTarget } from '../../../src/backends/eventhubs/index.js';
import { eventHubsSinkConfigSchema } from '../../../src/config/eventhubs-config.js';
import { ConfigError, describeError, redact } from '../../../src/errors.js';

const KEY = 'c2VjcmV0S2V5VmFsdWU0MjQy+/abc=';
const CS = `Endpoint=sb://hj-orders.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${KEY}`;

function resolve(config: Record<string, unknown>, env: NodeJS.ProcessEnv = {}) {
  return resolveEventHubsTarget(eventHubsSinkConfigSchema.parse({ kind: 'eventhubs', ...config }), { env });
}

function failure(fn: () => unknown): { message: string; exitCode: number } {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return describeError(error);
  }
  throw new Error('expected a ConfigError');
}

describe('Event Hubs connection settings', () => {
  it('takes the connection string from EVENTHUB_CONNECTION_STRING with EntityPath', () => {
    const target = resolve({}, { EVENTHUB_CONNECTION_STRING: `${CS};EntityPath=orders` });
    expect(target.hub).toBe('orders');
    expect(target.host).toBe('hj-orders.servicebus.windows.net');
    expect(target.auth.kind).toBe('connection-string');
    expect(target.description).toBe('event hub "orders" on hj-orders.servicebus.windows.net');
    expect(target.description).not.toContain(KEY);
  });

  it('takes the hub from --hub for a namespace-level connection string', () => {
    expect(resolve({ hub: 'orders' }, { EVENTHUB_CONNECTION_STRING: CS }).hub).toBe('orders');
  });

  it('recognises the emulator form', () => {
    const target = resolve(
      {},
      {
        EVENTHUB_CONNECTION_STRING:
          'Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;EntityPath=eh1',
      },
    );
    expect(target).toMatchObject({ hub: 'eh1', host: 'localhost:5672', auth: { emulator: true } });
    expect(target.description).toContain('(emulator)');
  });

  it('signs in keyless with --namespace and --hub', () => {
    const target = resolve({ namespace: 'sb://hj-orders.servicebus.windows.net/', hub: 'orders' });
    expect(target).toMatchObject({ host: 'hj-orders.servicebus.windows.net', auth: { kind: 'entra-id' } });
    expect(target.description).toContain('Microsoft Entra ID');
  });

  it('prefers an explicit --namespace over a connection string in the environment', () => {
    const target = resolve(
      { namespace: 'hj.servicebus.windows.net', hub: 'orders' },
      { EVENTHUB_CONNECTION_STRING: CS },
    );
    expect(target.auth.kind).toBe('entra-id');
  });

  it('says what to set when nothing is configured', () => {
    const { message, exitCode } = failure(() => resolve({}));
    expect(exitCode).toBe(2);
    expect(message).toMatch(/set EVENTHUB_CONNECTION_STRING .* or pass --namespace/);
    expect(message.split('\n')[0]).toMatch(/^brewline: Event Hubs needs a namespace/);
  });

  it.each([
    ['no endpoint', `SharedAccessKeyName=send;SharedAccessKey=${KEY}`, /has no Endpoint=sb:/],
    [
      'https endpoint',
      `Endpoint=https://hj.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=${KEY}`,
      /Endpoint must look like sb:/,
    ],
    [
      'no key',
      'Endpoint=sb://hj.servicebus.windows.net/;SharedAccessKeyName=send',
      /no SharedAccessKey part/,
    ],
    [
      'no key name',
      `Endpoint=sb://hj.servicebus.windows.net/;SharedAccessKey=${KEY}`,
      /no SharedAccessKeyName/,
    ],
    [
      'garbage',
      `Endpoint=sb://hj.servicebus.windows.net/;${KEY.replace(/=/g, '')}`,
      /part 2 .* is not a key=value pair/,
    ],
  ])(
    'names the broken part of a malformed connection string (%s) without echoing it',
    (_name, cs, pattern) => {
      const { message, exitCode } = failure(() =>
        resolve({ hub: 'orders' }, { EVENTHUB_CONNECTION_STRING: cs }),
      );
      expect(exitCode).toBe(2);
      expect(message).toMatch(pattern);
      expect(message).toContain('EVENTHUB_CONNECTION_STRING');
      expect(message).not.toContain(KEY);
      expect(message).not.toContain(KEY.slice(0, 12));
      expect(message).toMatch(
        /hint: expected Endpoint=sb:\/\/<namespace>.* SharedAccessKey \(and optionally EntityPath/,
      );
    },
  );

  it('asks for a hub when neither EntityPath nor --hub gives one', () => {
    expect(failure(() => resolve({}, { EVENTHUB_CONNECTION_STRING: CS })).message).toMatch(
      /no event hub name.*\n.*pass --hub <name>/,
    );
  });

  it('refuses a --hub that contradicts EntityPath', () => {
    expect(
      failure(() => resolve({ hub: 'other' }, { EVENTHUB_CONNECTION_STRING: `${CS};EntityPath=orders` }))
        .message,
    ).toMatch(/--hub "other" does not match EntityPath "orders"/);
  });

  it('refuses a namespace that is not fully qualified, and keyless without a hub', () => {
    expect(failure(() => resolve({ namespace: 'hj-orders', hub: 'x' })).message).toMatch(
      /not a fully qualified/,
    );
    expect(failure(() => resolve({ namespace: 'hj.servicebus.windows.net' })).message).toMatch(/pass --hub/);
  });

  it('redacts the key wherever a connection string would be printed', () => {
    expect(redact(`failed for ${CS};EntityPath=orders`)).not.toContain(KEY);
    expect(redact(`failed for ${CS}`)).toContain('SharedAccessKey=***');
    const sas = 'SharedAccessSignature sr=sb%3A%2F%2Fhj%2Forders&sig=abcDEF123%3D&se=1&skn=send';
    expect(redact(`token ${sas}`)).not.toContain('abcDEF123');
  });
});
