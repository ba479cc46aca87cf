import { describe, expect, it } from 'vitest';
import {
  describeKafkaConnection,
  kafkaSinkSchema,
  kafkaSourceSchema,
  parseEventHubsConnectionString,
  resolveKafkaConnection,
} from '../../../src/config/kafka-config.js';
import { sinkConfigSchema } from '../../../src/config/sink-config.js';
import { sourceConfigSchema } from '../../../src/config/source-config.js';
import { ConfigError, describeError } from '../../../src/errors.js';

const KEY = 'k3y+S3cr3t/Value=';
const CONNECTION = `Endpoint=sb://himalayan-java.servicebus.windows.net/;SharedAccessKeyName=send-listen;SharedAccessKey=${KEY};EntityPath=pos-orders`;

describe('Event Hubs preset', () => {
  it('turns a namespace connection string into the Kafka endpoint settings', () => {
    const preset = parseEventHubsConnectionString(CONNECTION);
    expect(preset.namespace).toBe('himalayan-java');
    expect(preset.brokers).toEqual(['himalayan-java.servicebus.windows.net:9093']);
    expect(preset.entityPath).toBe('pos-orders');
    expect(preset.sasl).toEqual({ mechanism: 'plain', username: '$ConnectionString', password: CONNECTION });
  });

  it('configures TLS, SASL PLAIN, no compression, no topic creation and the hub as topic from the environment', () => {
    const sink = kafkaSinkSchema.parse({ kind: 'kafka' });
    const connection = resolveKafkaConnection(sink, { EVENTHUB_CONNECTION_STRING: CONNECTION });
    expect(connection.brokers).toEqual(['himalayan-java.servicebus.windows.net:9093']);
    expect(connection.tls).toEqual({ rejectUnauthorized: true });
    expect(connection.sasl?.mechanism).toBe('plain');
    expect(connection.sasl?.username).toBe('$ConnectionString');
    expect(connection.topic).toBe('pos-orders');
    expect(connection.eventHubs).toBe(true);
  });

  it('never prints the key: not in the description, not in errors', () => {
    const connection = resolveKafkaConnection(kafkaSinkSchema.parse({ kind: 'kafka' }), {
      EVENTHUB_CONNECTION_STRING: CONNECTION,
    });
    const description = describeKafkaConnection(connection);
    expect(description).toContain('himalayan-java.servicebus.windows.net:9093');
    expect(description).toContain('SASL PLAIN');
    expect(description).not.toContain(KEY);
    // A broken string: the error explains, without echoing the string.
    let caught: unknown;
    try {
      parseEventHubsConnectionString(`Endpoint=http://x/;SharedAccessKeyName=a;SharedAccessKey=${KEY}`);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { message, exitCode } = describeError(caught);
    expect(message).toMatch(/sb:\/\//);
    expect(message).not.toContain(KEY);
    expect(exitCode).toBe(2);
  });

  it('rejects strings without an endpoint or a key, naming what is missing', () => {
    expect(() => parseEventHubsConnectionString('SharedAccessKeyName=a;SharedAccessKey=b')).toThrow(
      /Endpoint/,
    );
    expect(() => parseEventHubsConnectionString('Endpoint=sb://ns.servicebus.windows.net/')).toThrow(
      /SharedAccessKeyName and SharedAccessKey/,
    );
  });
});

describe('Kafka connection settings', () => {
  it('takes brokers and topic from KAFKA_BROKERS / KAFKA_TOPIC when the config has none', () => {
    const c = resolveKafkaConnection(kafkaSourceSchema.parse({ kind: 'kafka' }), {
      KAFKA_BROKERS: '10.0.0.1:9092, 10.0.0.2:9092',
      KAFKA_TOPIC: 'pos',
    });
    expect(c.brokers).toEqual(['10.0.0.1:9092', '10.0.0.2:9092']);
    expect(c.topic).toBe('pos');
    expect(c.tls).toBe(false);
    expect(c.sasl).toBeUndefined();
  });

  it('lets flags and files win over the environment', () => {
    const c = resolveKafkaConnection(
      kafkaSinkSchema.parse({ kind: 'kafka', brokers: '127.0.0.1:9092', topic: 'mine' }),
      { KAFKA_BROKERS: '10.0.0.1:9092', KAFKA_TOPIC: 'theirs' },
    );
    expect(c.brokers).toEqual(['127.0.0.1:9092']);
    expect(c.topic).toBe('mine');
  });

  it('defaults the topic to orders and explains how to give brokers when there are none', () => {
    expect(() => resolveKafkaConnection(kafkaSinkSchema.parse({ kind: 'kafka' }), {})).toThrow(ConfigError);
    expect(() => resolveKafkaConnection(kafkaSinkSchema.parse({ kind: 'kafka' }), {})).toThrow(
      /bootstrap brokers/,
    );
    const c = resolveKafkaConnection(kafkaSinkSchema.parse({ kind: 'kafka', brokers: 'b:1' }), {});
    expect(c.topic).toBe('orders');
  });

  it('reads SASL SCRAM and TLS from the environment, and never describes the password', () => {
    const c = resolveKafkaConnection(kafkaSinkSchema.parse({ kind: 'kafka', brokers: 'b:9093' }), {
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'pos',
      KAFKA_SASL_PASSWORD: 'hunter2-very-secret',
      KAFKA_TLS: 'true',
    });
    expect(c.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'pos', password: 'hunter2-very-secret' });
    expect(c.tls).toEqual({ rejectUnauthorized: true });
    expect(describeKafkaConnection(c)).toBe(
      'Kafka topic "orders" on b:9093 (TLS, SASL SCRAM-SHA-512 as pos)',
    );
  });

  it('rejects an incomplete SASL environment with a hint naming the variables', () => {
    expect(() =>
      resolveKafkaConnection(kafkaSinkSchema.parse({ kind: 'kafka', brokers: 'b:9093' }), {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'pos',
      }),
    ).toThrow(/password/);
  });

  it('parses sink flags as strings (acks, linger, partitions) with defaults: acks=all, idempotent, platformatic', () => {
    const sink = kafkaSinkSchema.parse({ kind: 'kafka', acks: 'all', lingerMs: '20ms', partitions: '6' });
    expect(sink).toMatchObject({
      acks: -1,
      lingerMs: 20,
      partitions: 6,
      idempotent: true,
      client: 'platformatic',
    });
    expect(kafkaSinkSchema.parse({ kind: 'kafka', acks: '1' }).acks).toBe(1);
    expect(kafkaSinkSchema.safeParse({ kind: 'kafka', acks: 'most' }).success).toBe(false);
    expect(kafkaSinkSchema.safeParse({ kind: 'kafka', brokers: 'no-port' }).success).toBe(false);
  });

  it('is a variant of the sink and source sections', () => {
    expect(sinkConfigSchema.parse({ kind: 'kafka', brokers: 'a:1' })).toMatchObject({
      kind: 'kafka',
      brokers: ['a:1'],
    });
    expect(sourceConfigSchema.parse({ kind: 'kafka', group: 'g' })).toMatchObject({
      kind: 'kafka',
      group: 'g',
      failOnDataLoss: true,
    });
  });
});

describe('the Event Hubs preset goes only to the namespace it names (issue 10 item 5)', () => {
  it('does not send the connection string to other brokers given by flag or KAFKA_BROKERS', () => {
    // Given EVENTHUB_CONNECTION_STRING is set and the brokers are somewhere else
    for (const [config, env] of [
      [{ kind: 'kafka', brokers: '127.0.0.1:39500' }, { EVENTHUB_CONNECTION_STRING: CONNECTION }],
      [{ kind: 'kafka' }, { EVENTHUB_CONNECTION_STRING: CONNECTION, KAFKA_BROKERS: '127.0.0.1:39500' }],
    ] as const) {
      const c = resolveKafkaConnection(kafkaSinkSchema.parse(config), env);
      // Then no SASL password (and no preset TLS) goes to them
      expect(c.brokers).toEqual(['127.0.0.1:39500']);
      expect(c.sasl).toBeUndefined();
      expect(c.tls).toBe(false);
      expect(c.eventHubs).toBe(false);
      expect(JSON.stringify(c)).not.toContain(KEY);
      expect(c.topic).toBe('orders');
    }
  });

  it('still applies it to the namespace’s own Kafka endpoint given explicitly', () => {
    const c = resolveKafkaConnection(
      kafkaSinkSchema.parse({ kind: 'kafka', brokers: 'himalayan-java.servicebus.windows.net:9093' }),
      { EVENTHUB_CONNECTION_STRING: CONNECTION },
    );
    expect(c.sasl?.username).toBe('$ConnectionString');
    expect(c.tls).toEqual({ rejectUnauthorized: true });
    expect(c.eventHubs).toBe(true);
  });

  it('refuses a configured connection string paired with another namespace’s brokers, without echoing it', () => {
    let caught: unknown;
    try {
      resolveKafkaConnection(
        kafkaSinkSchema.parse({
          kind: 'kafka',
          brokers: 'evil.example:9093',
          eventHubsConnectionString: CONNECTION,
        }),
        {},
      );
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const { message } = describeError(caught);
    expect(message).toMatch(/himalayan-java\.servicebus\.windows\.net/);
    expect(message).toMatch(/evil\.example:9093/);
    expect(message).not.toContain(KEY);
  });
});
