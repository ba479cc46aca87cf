import { describe, expect, it } from 'vitest';
import {
  classifyKafkaError,
  producerStateLost,
  toKafkaError,
} from '../../../src/backends/kafka/kafka-errors.js';
import { ExternalError } from '../../../src/errors.js';

describe('Kafka error translation', () => {
  it('recognises refused credentials from either client and does not retry them', () => {
    const kafkajs = Object.assign(new Error('SASL PLAIN authentication failed: Authentication failed'), {
      name: 'KafkaJSSASLAuthenticationError',
      retriable: false,
    });
    const error = toKafkaError(kafkajs, 'connecting the producer', 'topic "orders" on b:9093');
    expect(error).toBeInstanceOf(ExternalError);
    expect(error.message).toBe(
      'Kafka refused the credentials while connecting the producer (topic "orders" on b:9093)',
    );
    expect(error.hint).toMatch(/SASL mechanism, username and password/);
    expect(error.retriable).toBe(false);
  });

  it('recognises TLS failures, including nested in an AggregateError', () => {
    const tls = Object.assign(new Error('self-signed certificate'), { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const wrapped = new AggregateError([tls], 'Producing messages failed.');
    expect(classifyKafkaError(wrapped).kind).toBe('tls');
    expect(toKafkaError(wrapped, 'sending', 'x').hint).toMatch(/caFile/);
  });

  it('explains an unknown topic and how to create it', () => {
    const e = Object.assign(new Error('This server does not host this topic-partition'), {
      type: 'UNKNOWN_TOPIC_OR_PARTITION',
    });
    const error = toKafkaError(e, 'sending 5 messages', 'topic "nope" on b:1');
    expect(error.message).toMatch(/topic does not exist/);
    expect(error.hint).toMatch(/--partitions/);
  });

  it('treats an unreachable broker as retriable and points at kafka:start', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    const error = toKafkaError({ message: 'Connection failed', cause: refused }, 'connecting', 'x');
    expect(error.retriable).toBe(true);
    expect(error.hint).toMatch(/kafka:start/);
  });

  it('keeps the client verdict for anything else', () => {
    expect(classifyKafkaError(Object.assign(new Error('odd'), { canRetry: true }))).toMatchObject({
      kind: 'other',
      retriable: true,
    });
    expect(classifyKafkaError(new Error('odd')).retriable).toBe(false);
  });
});

describe('producerStateLost', () => {
  it('is true only when the broker refuses the producer id, at any depth of a library error', () => {
    const nested = new AggregateError([
      Object.assign(new Error('x'), { apiId: 'OUT_OF_ORDER_SEQUENCE_NUMBER' }),
    ]);
    expect(producerStateLost(nested)).toBe(true);
    expect(producerStateLost(Object.assign(new Error('y'), { code: 'INVALID_PRODUCER_EPOCH' }))).toBe(true);
    expect(producerStateLost(Object.assign(new Error('Connection closed'), { code: 'ECONNRESET' }))).toBe(
      false,
    );
  });
});
