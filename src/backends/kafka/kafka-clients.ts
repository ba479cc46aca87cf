import { readFileSync } from 'node:fs';
import type { KafkaConnection } from '../../config/kafka-config.js';
import { ConfigError } from '../../errors.js';

/**
 * Maps one KafkaConnection onto the option shapes of the two client libraries. Both libraries are loaded
 * lazily by their callers (STYLE.md 3); only types are referenced here.
 */

function readCa(caFile: string | undefined): string | undefined {
  if (caFile === undefined) return undefined;
  try {
    return readFileSync(caFile, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the Kafka CA file ${caFile}: ${(error as Error).message}`, {
      hint: 'set tls.caFile to a readable PEM file',
    });
  }
}

function splitBroker(address: string): { host: string; port: number } {
  const i = address.lastIndexOf(':');
  return { host: address.slice(0, i), port: Number(address.slice(i + 1)) };
}

/** Options for `new Kafka(...)` of kafkajs (logging off: errors surface through our own messages). */
export function kafkajsConfig(connection: KafkaConnection): Record<string, unknown> {
  const ca = connection.tls ? readCa(connection.tls.caFile) : undefined;
  return {
    clientId: connection.clientId,
    brokers: [...connection.brokers],
    connectionTimeout: connection.connectionTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    ssl: connection.tls
      ? { rejectUnauthorized: connection.tls.rejectUnauthorized, ...(ca ? { ca: [ca] } : {}) }
      : false,
    ...(connection.sasl
      ? {
          sasl: {
            mechanism: connection.sasl.mechanism,
            username: connection.sasl.username,
            password: connection.sasl.password,
          },
        }
      : {}),
    // Our retrier (src/retry.ts) owns backoff; the client only retries a request briefly.
    retry: { retries: 2, initialRetryTime: 100, maxRetryTime: 1000 },
  };
}

/** Base options shared by @platformatic/kafka's Producer, Consumer and Admin. */
export function platformaticBaseOptions(connection: KafkaConnection): {
  clientId: string;
  bootstrapBrokers: { host: string; port: number }[];
  connectTimeout: number;
  requestTimeout: number;
  timeout: number;
  retries: number;
  retryDelay: number;
  tls?: { rejectUnauthorized: boolean; ca?: string };
  tlsServerName?: boolean;
  sasl?: { mechanism: 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512'; username: string; password: string };
} {
  const ca = connection.tls ? readCa(connection.tls.caFile) : undefined;
  return {
    clientId: connection.clientId,
    bootstrapBrokers: connection.brokers.map(splitBroker),
    connectTimeout: connection.connectionTimeoutMs,
    requestTimeout: connection.requestTimeoutMs,
    timeout: connection.requestTimeoutMs,
    // Our retrier owns backoff across broker restarts; the client retries a request only briefly.
    retries: 2,
    retryDelay: 250,
    ...(connection.tls
      ? {
          tls: { rejectUnauthorized: connection.tls.rejectUnauthorized, ...(ca ? { ca } : {}) },
          tlsServerName: true,
        }
      : {}),
    ...(connection.sasl
      ? {
          sasl: {
            mechanism: connection.sasl.mechanism.toUpperCase() as 'PLAIN' | 'SCRAM-SHA-256' | 'SCRAM-SHA-512',
            username: connection.sasl.username,
            password: connection.sasl.password,
          },
        }
      : {}),
  };
}
