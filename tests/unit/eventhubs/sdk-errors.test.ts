import { translate } from '@azure/core-amqp';
import { describe, expect, it } from 'vitest';
import type { EventHubsTarget } from '../../../src/backends/eventhubs/connection.js';
import { translateEventHubsError } from '../../../src/backends/eventhubs/sdk-errors.js';

const target: EventHubsTarget = {
  hub: 'orders',
  host: 'hj-orders.servicebus.windows.net',
  auth: { kind: 'connection-string', connectionString: 'Endpoint=sb://x/', emulator: false },
  customEndpoint: undefined,
  timeoutMs: 5000,
  description: 'event hub "orders" on hj-orders.servicebus.windows.net',
};

/** A Node socket error as the SDK meets it when the service closes a connection under a write. */
function socketError(code: string): Error {
  return Object.assign(new Error(`write ${code}`), { code, errno: -32, syscall: 'write' });
}

describe('Event Hubs errors as the sink and source retry them', () => {
  it.each(['EPIPE', 'ECONNRESET', 'ECONNABORTED', 'ETIMEDOUT'])(
    'a connection broken under a send (%s, as core-amqp translates it) is retried',
    (code) => {
      const sdkError = translate(socketError(code));
      const error = translateEventHubsError(sdkError, target, 'sending a batch');
      expect(error.retriable).toBe(true);
      expect(error.message).toMatch(/while sending a batch/);
    },
  );

  it('a refused argument is not retried', () => {
    const sdkError = Object.assign(new Error('bad'), { name: 'MessagingError', code: 'ArgumentError' });
    expect(translateEventHubsError(sdkError, target, 'sending a batch').retriable).toBe(false);
  });
});
