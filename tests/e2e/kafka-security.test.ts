import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KafkaSink, KafkaSource } from '../../src/backends/kafka/index.js';
import { kafkaSinkSchema, kafkaSourceSchema } from '../../src/config/kafka-config.js';
import { describeError, ExternalError } from '../../src/errors.js';
import { startKafkaBroker, stopKafkaBroker, type KafkaBroker } from '../../scripts/kafka/broker.mjs';

/**
 * SASL (PLAIN, SCRAM-SHA-256) and TLS against a real broker with those listeners: the right settings carry
 * orders end to end through both client libraries; the wrong ones fail with a message that says what to
 * check, and the password never appears in anything printed.
 */
const PASSWORD = 'pos-secret-do-not-print';
let broker: KafkaBroker;

beforeAll(async () => {
  broker = await startKafkaBroker({
    quiet: true,
    timeoutMs: 120_000,
    security: { users: { pos: PASSWORD } },
  });
}, 240_000);
afterAll(async () => {
  if (broker) await stopKafkaBroker(broker);
}, 60_000);

async function roundTrip(
  connection: Record<string, unknown>,
  client: 'platformatic' | 'kafkajs',
): Promise<string[]> {
  const topic = `secure-${randomUUID()}`;
  const sink = new KafkaSink(
    kafkaSinkSchema.parse({ kind: 'kafka', topic, partitions: 2, client, ...connection }),
    {},
  );
  await sink.open();
  const receipt = await sink.send([
    { key: 'Thamel', value: '{"n":1}' },
    { key: 'Boudha', value: '{"n":2}' },
  ]);
  await sink.close();
  expect(receipt.acked).toBe(2);
  const source = new KafkaSource(kafkaSourceSchema.parse({ kind: 'kafka', topic, ...connection }), {});
  await source.open();
  const positions = await source.positions();
  const records = await source.read(
    positions.map((p) => ({ partition: p.partition, from: p.earliest, to: p.latest })),
  );
  await source.close();
  return records.map((r) => Buffer.from(r.value).toString('utf8')).sort();
}

async function openError(connection: Record<string, unknown>): Promise<ExternalError> {
  const sink = new KafkaSink(
    kafkaSinkSchema.parse({
      kind: 'kafka',
      topic: 'never',
      connectionTimeoutMs: 3000,
      requestTimeoutMs: 5000,
      ...connection,
    }),
    {},
  );
  const error = await sink.open().then(
    () => undefined,
    (e: unknown) => e,
  );
  await sink.close();
  expect(error).toBeInstanceOf(ExternalError);
  const printed = describeError(error).message;
  expect(printed).not.toContain(PASSWORD);
  expect(sink.description).not.toContain(PASSWORD);
  return error as ExternalError;
}

describe('Kafka SASL', () => {
  for (const mechanism of ['plain', 'scram-sha-256'] as const) {
    for (const client of ['platformatic', 'kafkajs'] as const) {
      it(`carries orders with SASL ${mechanism.toUpperCase()} (${client} producer)`, async () => {
        const values = await roundTrip(
          { brokers: broker.saslBootstrap!, sasl: { mechanism, username: 'pos', password: PASSWORD } },
          client,
        );
        expect(values).toEqual(['{"n":1}', '{"n":2}']);
      }, 60_000);
    }
  }

  it('reports refused credentials with what to check, never the password', async () => {
    const error = await openError({
      brokers: broker.saslBootstrap!,
      sasl: { mechanism: 'scram-sha-256', username: 'pos', password: `${PASSWORD}-wrong` },
    });
    expect(error.message).toMatch(/refused the credentials/);
    expect(error.hint).toMatch(/SASL mechanism, username and password/);
    expect(error.retriable).toBe(false);
  }, 60_000);
});

describe('Kafka TLS', () => {
  it('carries orders over TLS when the broker certificate is trusted (tls.caFile)', async () => {
    const values = await roundTrip(
      { brokers: broker.tlsBootstrap!, tls: { caFile: broker.caFile! } },
      'platformatic',
    );
    expect(values).toEqual(['{"n":1}', '{"n":2}']);
  }, 60_000);

  it('explains a certificate the client does not trust', async () => {
    const error = await openError({ brokers: broker.tlsBootstrap!, tls: true });
    expect(error.message).toMatch(/TLS handshake with Kafka failed/);
    expect(error.hint).toMatch(/caFile/);
  }, 60_000);
});
