import { z } from 'zod';
import { ConfigError } from '../errors.js';
import { bool, durationMs, list, positiveInt } from './fields.js';

/**
 * Kafka settings shared by the `kafka` sink and source variants (sink-config.ts / source-config.ts import
 * these shapes). Brokers and topic may also come from KAFKA_BROKERS / KAFKA_TOPIC, and a whole Event Hubs
 * connection from EVENTHUB_CONNECTION_STRING: `resolveKafkaSettings` applies them only when the variant is
 * `kafka`, so a bus user with KAFKA_BROKERS set is not rejected.
 */

const brokerAddress = z
  .string()
  .regex(/^[^\s:,]+:\d{1,5}$/, 'expected host:port, e.g. 127.0.0.1:9092 or ns.servicebus.windows.net:9093');

export const kafkaSaslSchema = z
  .object({
    /** SASL mechanism. */
    mechanism: z.enum(['plain', 'scram-sha-256', 'scram-sha-512']),
    username: z.string().min(1),
    /** Never printed; prefer KAFKA_SASL_PASSWORD over a file or flag. */
    password: z.string().min(1),
  })
  .strict();

export const kafkaTlsSchema = z.union([
  bool(),
  z
    .object({
      /** PEM file with the CA certificate(s) to trust instead of the system store. */
      caFile: z.string().min(1).optional(),
      /** Verify the broker's certificate. @default true */
      rejectUnauthorized: bool().default(true),
    })
    .strict(),
]);

/** Connection fields common to the sink and the source. */
export const kafkaConnectionShape = {
  kind: z.literal('kafka'),
  /** Bootstrap brokers, `host:port`, comma-separated from env/flags. Falls back to KAFKA_BROKERS. */
  brokers: list(brokerAddress).optional(),
  /** Topic. Falls back to KAFKA_TOPIC, then the Event Hub of the connection string, then `orders`. */
  topic: z.string().min(1).max(249).optional(),
  /** Client id reported to the broker (quotas, logs). @default 'brewline' */
  clientId: z.string().min(1).default('brewline'),
  /** TLS: `true` for the system CAs, or an object. @default false (true with an Event Hubs connection string) */
  tls: kafkaTlsSchema.optional(),
  sasl: kafkaSaslSchema.optional(),
  /** Event Hubs namespace connection string (Kafka endpoint preset). Falls back to EVENTHUB_CONNECTION_STRING. */
  eventHubsConnectionString: z.string().min(1).optional(),
  /** @default 10s */
  connectionTimeoutMs: durationMs().default(10_000),
  /** @default 30s */
  requestTimeoutMs: durationMs().default(30_000),
};

/** Producer client behind the Kafka sink; both are measured by `npm run bench:kafka`. */
export const kafkaProducerClients = ['platformatic', 'kafkajs'] as const;
export type KafkaProducerClient = (typeof kafkaProducerClients)[number];

export const kafkaAcksSchema = z.preprocess(
  (v) => {
    if (v === 'all' || v === '-1' || v === -1) return -1;
    if (v === '1' || v === 1 || v === 'leader') return 1;
    if (v === '0' || v === 0 || v === 'none') return 0;
    return v;
  },
  z.union([z.literal(-1), z.literal(0), z.literal(1)], { error: 'expected all, 1 or 0' }),
);

export const kafkaSinkSchema = z
  .object({
    ...kafkaConnectionShape,
    /** Partitions when the topic is created (`--partitions`). @default 6 */
    partitions: positiveInt().default(6),
    /** Create the topic if it does not exist. @default true (false with Event Hubs: create hubs in Azure) */
    createTopic: bool().optional(),
    /** Acknowledgements: all (-1), leader (1) or none (0). @default all */
    acks: kafkaAcksSchema.default(-1),
    /** Record batch compression. @default none */
    compression: z.enum(['none', 'gzip']).default('none'),
    /** Idempotent producer (no duplicates from its own retries; needs acks=all). @default true */
    idempotent: bool().default(true),
    /** How long a partial batch waits for more messages before it is sent. @default 5ms */
    lingerMs: durationMs().default(5),
    /** Most messages in one produce request. @default 2000 */
    batchSize: positiveInt().default(2000),
    /** Most `send` calls a caller keeps outstanding (its backpressure window). @default 4 */
    maxInFlight: positiveInt().default(4),
    /** Largest message accepted; larger ones are rejected before sending (broker default ~1 MB). @default 1_000_000 */
    maxMessageBytes: positiveInt().default(1_000_000),
    /** Retries of a failed produce request, with exponential backoff. @default 8 */
    retries: z.preprocess((v) => (typeof v === 'string' ? Number(v) : v), z.number().int().min(0)).default(8),
    /** Which client library produces. @default 'platformatic' (faster in bench:kafka) */
    client: z.enum(kafkaProducerClients).default('platformatic'),
  })
  .strict();

export const kafkaSourceSchema = z
  .object({
    ...kafkaConnectionShape,
    /** Consumer group to commit processed offsets to, for external lag tools (never used for recovery). */
    group: z.string().min(1).optional(),
    /** Fail when offsets the checkpoint needs were removed by retention (like Spark's failOnDataLoss). @default true */
    failOnDataLoss: bool().default(true),
    /** Most bytes fetched per partition per request. @default 4 MiB */
    maxBytesPerPartition: positiveInt().default(4 * 1024 * 1024),
    /** How often `waitForData` polls latest offsets. @default 200ms */
    pollIntervalMs: durationMs().default(200),
  })
  .strict();

export type KafkaSinkConfig = z.output<typeof kafkaSinkSchema>;
export type KafkaSourceConfig = z.output<typeof kafkaSourceSchema>;
export type KafkaSaslConfig = z.output<typeof kafkaSaslSchema>;

/** Kafka environment variables read by `resolveKafkaSettings` (only for the `kafka` variants). */
export const KAFKA_ENV = {
  brokers: 'KAFKA_BROKERS',
  topic: 'KAFKA_TOPIC',
  clientId: 'KAFKA_CLIENT_ID',
  saslMechanism: 'KAFKA_SASL_MECHANISM',
  saslUsername: 'KAFKA_SASL_USERNAME',
  saslPassword: 'KAFKA_SASL_PASSWORD',
  tls: 'KAFKA_TLS',
  eventHubs: 'EVENTHUB_CONNECTION_STRING',
} as const;

/** Everything a Kafka client needs to connect, after env fallbacks and presets. */
export interface KafkaConnection {
  readonly brokers: readonly string[];
  readonly topic: string;
  readonly clientId: string;
  readonly tls: false | { readonly caFile?: string; readonly rejectUnauthorized: boolean };
  readonly sasl: KafkaSaslConfig | undefined;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** True when the Event Hubs preset set the connection (no topic creation, no compression). */
  readonly eventHubs: boolean;
}

export interface EventHubsPreset {
  readonly namespace: string;
  readonly brokers: readonly string[];
  /** The Event Hub named by `EntityPath`, if the string has one. */
  readonly entityPath: string | undefined;
  readonly sasl: KafkaSaslConfig;
}

/**
 * Parses an Event Hubs namespace connection string into the Kafka endpoint settings: brokers
 * `<ns>.servicebus.windows.net:9093`, TLS, SASL PLAIN with user `$ConnectionString` and the whole string as
 * password. Errors never echo the string (it holds the key).
 */
export function parseEventHubsConnectionString(text: string): EventHubsPreset {
  const parts = new Map<string, string>();
  for (const piece of text.split(';')) {
    const eq = piece.indexOf('=');
    if (eq <= 0) continue;
    parts.set(piece.slice(0, eq).trim().toLowerCase(), piece.slice(eq + 1).trim());
  }
  const endpoint = parts.get('endpoint');
  const hint =
    'copy it from the Azure portal: Event Hubs namespace → Shared access policies → "Connection string–primary key"';
  if (!endpoint) {
    throw new ConfigError('the Event Hubs connection string has no Endpoint=sb://… part', { hint });
  }
  let host: string;
  try {
    const url = new URL(endpoint);
    if (url.protocol !== 'sb:') throw new Error('not sb:');
    host = url.hostname;
  } catch {
    throw new ConfigError(
      'the Event Hubs connection string Endpoint must look like sb://<namespace>.servicebus.windows.net/',
      {
        hint,
      },
    );
  }
  if (!host) throw new ConfigError('the Event Hubs connection string Endpoint has no host name', { hint });
  if (!parts.get('sharedaccesskeyname') || !parts.get('sharedaccesskey')) {
    throw new ConfigError('the Event Hubs connection string needs SharedAccessKeyName and SharedAccessKey', {
      hint,
    });
  }
  const entityPath = parts.get('entitypath') || undefined;
  return {
    namespace: host.split('.')[0] ?? host,
    brokers: [`${host}:9093`],
    entityPath,
    sasl: { mechanism: 'plain', username: '$ConnectionString', password: text.trim() },
  };
}

type KafkaVariant = Pick<
  KafkaSinkConfig,
  | 'brokers'
  | 'topic'
  | 'clientId'
  | 'tls'
  | 'sasl'
  | 'eventHubsConnectionString'
  | 'connectionTimeoutMs'
  | 'requestTimeoutMs'
>;

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/**
 * Applies environment fallbacks and the Event Hubs preset to a parsed `kafka` sink or source section.
 * Config (file/flags) wins over the environment. Throws ConfigError naming what to set.
 */
export function resolveKafkaConnection(
  config: KafkaVariant,
  env: NodeJS.ProcessEnv = process.env,
): KafkaConnection {
  const connectionString = config.eventHubsConnectionString ?? envValue(env, KAFKA_ENV.eventHubs);
  const parsedPreset = connectionString ? parseEventHubsConnectionString(connectionString) : undefined;

  let brokers: readonly string[] | undefined = config.brokers;
  if (!brokers || brokers.length === 0) {
    const fromEnv = envValue(env, KAFKA_ENV.brokers);
    if (fromEnv) {
      const parsed = list(brokerAddress).safeParse(fromEnv);
      if (!parsed.success) {
        throw new ConfigError(
          `invalid ${KAFKA_ENV.brokers}: expected host:port[,host:port…], got ${JSON.stringify(fromEnv)}`,
          {
            hint: `change or unset ${KAFKA_ENV.brokers}`,
          },
        );
      }
      brokers = parsed.data;
    }
  }
  if ((!brokers || brokers.length === 0) && parsedPreset) brokers = parsedPreset.brokers;
  if (!brokers || brokers.length === 0) {
    throw new ConfigError('Kafka needs bootstrap brokers', {
      hint: `pass --brokers host:port, set ${KAFKA_ENV.brokers}, or ${KAFKA_ENV.eventHubs} for Event Hubs (\`npm run kafka:start\` runs a local broker)`,
    });
  }
  // The preset (its SAS key as the SASL password) is only for the namespace the string names: never for other
  // brokers, whatever set them. A string configured in this very section next to foreign brokers is refused.
  const preset = parsedPreset && presetServes(parsedPreset, brokers) ? parsedPreset : undefined;
  if (parsedPreset && !preset && config.eventHubsConnectionString !== undefined) {
    throw new ConfigError(
      `the Event Hubs connection string names ${presetHost(parsedPreset)}, but the brokers are ${brokers.join(',')}: refusing to send its key to them`,
      {
        hint: `point the brokers at ${parsedPreset.brokers.join(',')} (or leave them out), or remove eventHubsConnectionString`,
      },
    );
  }

  let sasl = config.sasl;
  if (!sasl) {
    const mechanism = envValue(env, KAFKA_ENV.saslMechanism);
    if (mechanism) {
      const parsed = kafkaSaslSchema.safeParse({
        mechanism: mechanism.toLowerCase(),
        username: envValue(env, KAFKA_ENV.saslUsername),
        password: envValue(env, KAFKA_ENV.saslPassword),
      });
      if (!parsed.success) {
        throw new ConfigError(
          `invalid SASL settings from the environment: ${parsed.error.issues[0]?.path.join('.') ?? ''} ${parsed.error.issues[0]?.message ?? ''}`.trim(),
          {
            hint: `set ${KAFKA_ENV.saslMechanism} (plain, scram-sha-256, scram-sha-512), ${KAFKA_ENV.saslUsername} and ${KAFKA_ENV.saslPassword}`,
          },
        );
      }
      sasl = parsed.data;
    }
  }
  if (!sasl && preset) sasl = preset.sasl;

  let tlsSetting = config.tls;
  if (tlsSetting === undefined) {
    const fromEnv = envValue(env, KAFKA_ENV.tls);
    if (fromEnv) {
      const parsed = bool().safeParse(fromEnv);
      if (!parsed.success) {
        throw new ConfigError(
          `invalid ${KAFKA_ENV.tls}: expected true or false, got ${JSON.stringify(fromEnv)}`,
          {
            hint: `change or unset ${KAFKA_ENV.tls}`,
          },
        );
      }
      tlsSetting = parsed.data;
    }
  }
  if (tlsSetting === undefined && preset) tlsSetting = true;
  const tls: KafkaConnection['tls'] =
    tlsSetting === undefined || tlsSetting === false
      ? false
      : tlsSetting === true
        ? { rejectUnauthorized: true }
        : tlsSetting;

  const topic = config.topic ?? envValue(env, KAFKA_ENV.topic) ?? preset?.entityPath ?? 'orders';
  const clientId =
    config.clientId !== 'brewline' ? config.clientId : (envValue(env, KAFKA_ENV.clientId) ?? config.clientId);
  return {
    brokers,
    topic,
    clientId,
    tls,
    sasl,
    connectionTimeoutMs: config.connectionTimeoutMs,
    requestTimeoutMs: config.requestTimeoutMs,
    eventHubs: preset !== undefined,
  };
}

function presetHost(preset: EventHubsPreset): string {
  return (preset.brokers[0] ?? '').replace(/:\d+$/, '').toLowerCase();
}

/** True when every broker is the namespace's own Kafka endpoint host. */
function presetServes(preset: EventHubsPreset, brokers: readonly string[]): boolean {
  const host = presetHost(preset);
  return brokers.every((b) => b.replace(/:\d+$/, '').toLowerCase() === host);
}

/** A one-line description safe to print: brokers, topic, TLS/SASL mode — never credentials. */
export function describeKafkaConnection(connection: KafkaConnection): string {
  const security = [
    connection.tls ? 'TLS' : 'plaintext',
    connection.sasl
      ? `SASL ${connection.sasl.mechanism.toUpperCase()} as ${connection.sasl.username === '$ConnectionString' ? '$ConnectionString' : connection.sasl.username}`
      : undefined,
  ]
    .filter(Boolean)
    .join(', ');
  return `Kafka topic "${connection.topic}" on ${connection.brokers.join(',')} (${security}${connection.eventHubs ? ', Event Hubs' : ''})`;
}

/** `brewline simulate` flags for the Kafka sink (commander attribute name → config path). */
export const KAFKA_SINK_FLAGS: Readonly<Record<string, string>> = {
  brokers: 'sink.brokers',
  topic: 'sink.topic',
  partitions: 'sink.partitions',
  clientId: 'sink.clientId',
  acks: 'sink.acks',
  compression: 'sink.compression',
  linger: 'sink.lingerMs',
  kafkaClient: 'sink.client',
};

/** `brewline pipeline run` flags for the Kafka source. */
export const KAFKA_SOURCE_FLAGS: Readonly<Record<string, string>> = {
  brokers: 'source.brokers',
  topic: 'source.topic',
  clientId: 'source.clientId',
  group: 'source.group',
  failOnDataLoss: 'source.failOnDataLoss',
};

/** Help texts shared by the commands that take these flags (option spelling → help). */
export const KAFKA_FLAG_HELP = {
  '--brokers <list>': 'Kafka: bootstrap brokers host:port[,host:port] (env KAFKA_BROKERS)',
  '--topic <name>': 'Kafka: topic (env KAFKA_TOPIC; default orders)',
  '--partitions <n>': 'Kafka: partitions when the sink creates the topic (default 6)',
  '--client-id <id>': 'Kafka: client id (env KAFKA_CLIENT_ID; default brewline)',
  '--acks <all|1|0>': 'Kafka: producer acknowledgements (default all)',
  '--compression <none|gzip>': 'Kafka: batch compression (default none)',
  '--linger <duration>': 'Kafka: how long a partial batch waits for more (default 5ms)',
  '--kafka-client <name>': 'Kafka: producer client, platformatic or kafkajs (default platformatic)',
  '--group <id>':
    'consumer group: pipeline run (Kafka) also commits processed offsets to it; lag reads its offsets (Kafka, or Event Hubs with a blob checkpoint store)',
  '--fail-on-data-loss <bool>': 'Kafka: fail when retention removed unread offsets (default true)',
} as const;
