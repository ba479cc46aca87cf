import type { EventHubConsumerClient, EventHubProducerClient } from '@azure/event-hubs';
import type { TokenCredential } from '@azure/identity';
import {
  EVENTHUB_CONNECTION_STRING_ENV,
  type EventHubsConnectionConfig,
} from '../../config/eventhubs-config.js';
import { ConfigError } from '../../errors.js';

/** How brewline signs in to a namespace. Never printed: `description` is the printable part. */
export type EventHubsAuth =
  | { readonly kind: 'connection-string'; readonly connectionString: string; readonly emulator: boolean }
  | { readonly kind: 'entra-id'; readonly credential: TokenCredential | undefined };

/** A validated target: which hub, on which namespace, signed in how. */
export interface EventHubsTarget {
  readonly hub: string;
  /** Namespace host (with port for the emulator), e.g. `hj-orders.servicebus.windows.net`. */
  readonly host: string;
  readonly auth: EventHubsAuth;
  readonly customEndpoint: string | undefined;
  readonly timeoutMs: number;
  /** Safe to print: `event hub "orders" on hj-orders.servicebus.windows.net (Entra ID)`. */
  readonly description: string;
}

// Worded so that `redact` (which masks whatever follows "SharedAccessKey=") leaves it readable.
const CONNECTION_STRING_FORM =
  'Endpoint=sb://<namespace>.servicebus.windows.net/ plus SharedAccessKeyName and SharedAccessKey (and optionally EntityPath=<hub>), separated by semicolons';

export interface ResolveOptions {
  /** @default process.env */
  env?: NodeJS.ProcessEnv;
  /** Credential for keyless sign-in. @default new DefaultAzureCredential() when the client is created */
  credential?: TokenCredential;
}

/**
 * Decides how to connect from config and environment, with one clear error for each way it can be wrong.
 * Order: `connectionString` from config, else `namespace` (keyless), else EVENTHUB_CONNECTION_STRING.
 */
export function resolveEventHubsTarget(
  config: EventHubsConnectionConfig,
  options: ResolveOptions = {},
): EventHubsTarget {
  const env = options.env ?? process.env;
  const timeoutMs = config.timeoutMs;
  const customEndpoint = config.customEndpoint;
  const fromEnv = env[EVENTHUB_CONNECTION_STRING_ENV];
  let connectionString: { text: string; origin: string } | undefined;
  if (config.connectionString !== undefined) {
    connectionString = { text: config.connectionString, origin: 'the connectionString setting' };
  } else if (config.namespace === undefined && fromEnv !== undefined && fromEnv.trim() !== '') {
    connectionString = { text: fromEnv, origin: EVENTHUB_CONNECTION_STRING_ENV };
  }

  if (connectionString) {
    const parsed = parseEventHubsConnectionString(connectionString.text, connectionString.origin);
    const hub = pickHub(config.hub, parsed.entityPath);
    const emulator = parsed.useDevelopmentEmulator;
    return {
      hub,
      host: parsed.host,
      auth: { kind: 'connection-string', connectionString: connectionString.text, emulator },
      customEndpoint,
      timeoutMs,
      description: `event hub "${hub}" on ${parsed.host}${emulator ? ' (emulator)' : ''}`,
    };
  }
  if (config.namespace !== undefined) {
    const host = parseNamespace(config.namespace);
    if (config.hub === undefined) {
      throw new ConfigError('keyless sign-in to Event Hubs needs the event hub name', {
        hint: 'pass --hub <name> together with --namespace',
      });
    }
    return {
      hub: config.hub,
      host,
      auth: { kind: 'entra-id', credential: options.credential },
      customEndpoint,
      timeoutMs,
      description: `event hub "${config.hub}" on ${host} (Microsoft Entra ID)`,
    };
  }
  throw new ConfigError('Event Hubs needs a namespace to connect to, and none is configured', {
    hint: `set ${EVENTHUB_CONNECTION_STRING_ENV} to the namespace's connection string, or pass --namespace <ns>.servicebus.windows.net to sign in with Microsoft Entra ID`,
  });
}

export interface ParsedConnectionString {
  readonly host: string;
  readonly entityPath: string | undefined;
  readonly useDevelopmentEmulator: boolean;
}

/**
 * Validates a namespace connection string without ever echoing it (it holds a key): errors name the part
 * that is missing or wrong and where the string came from.
 */
export function parseEventHubsConnectionString(text: string, origin: string): ParsedConnectionString {
  const malformed = (what: string): ConfigError =>
    new ConfigError(`the Event Hubs connection string in ${origin} is malformed: ${what}`, {
      hint: `expected ${CONNECTION_STRING_FORM} (copy it from the portal: Event Hubs namespace → Shared access policies)`,
    });
  const fields = new Map<string, string>();
  const parts = text.trim().split(';');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    // Never quote the part: it may be (a piece of) the key.
    if (eq <= 0) throw malformed(`part ${i + 1} (of ${parts.length}, split at ";") is not a key=value pair`);
    fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const endpoint = fields.get('Endpoint');
  if (!endpoint) throw malformed('it has no Endpoint=sb://<namespace>.servicebus.windows.net/ part');
  const match = /^sb:\/\/([^/\s;]+?)\/?$/i.exec(endpoint);
  if (!match) throw malformed(`Endpoint must look like sb://<namespace>.servicebus.windows.net/`);
  const keyName = fields.get('SharedAccessKeyName');
  const key = fields.get('SharedAccessKey');
  const signature = fields.get('SharedAccessSignature');
  if (signature !== undefined && (key !== undefined || keyName !== undefined)) {
    throw malformed('it has both SharedAccessSignature and SharedAccessKey; keep one');
  }
  if (signature === undefined) {
    if (!keyName) throw malformed('it has no SharedAccessKeyName part (the policy name)');
    if (!key) throw malformed('it has no SharedAccessKey part (the key)');
  }
  const emulatorFlag = fields.get('UseDevelopmentEmulator');
  if (emulatorFlag !== undefined && !/^(true|false)$/i.test(emulatorFlag)) {
    throw malformed('UseDevelopmentEmulator must be true or false');
  }
  const entityPath = fields.get('EntityPath');
  return {
    host: match[1]!,
    entityPath: entityPath === undefined || entityPath === '' ? undefined : entityPath,
    useDevelopmentEmulator: emulatorFlag?.toLowerCase() === 'true',
  };
}

function pickHub(flagHub: string | undefined, entityPath: string | undefined): string {
  if (flagHub !== undefined && entityPath !== undefined && flagHub !== entityPath) {
    throw new ConfigError(
      `--hub "${flagHub}" does not match EntityPath "${entityPath}" in the Event Hubs connection string`,
      { hint: 'drop --hub, or use a namespace-level connection string (without EntityPath)' },
    );
  }
  const hub = flagHub ?? entityPath;
  if (hub === undefined) {
    throw new ConfigError('no event hub name: the connection string has no EntityPath and --hub is not set', {
      hint: 'pass --hub <name>, or add ;EntityPath=<name> to the connection string',
    });
  }
  return hub;
}

/** `hj-orders.servicebus.windows.net`, also accepting `sb://…/` and `https://…/` as the portal shows it. */
export function parseNamespace(text: string): string {
  const host = text
    .trim()
    .replace(/^(sb|https?|amqps?):\/\//i, '')
    .replace(/\/+$/, '');
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9](:\d+)?$/i.test(host) || !host.includes('.')) {
    throw new ConfigError(`--namespace "${text}" is not a fully qualified Event Hubs namespace`, {
      hint: 'use the host name, e.g. --namespace hj-orders.servicebus.windows.net',
    });
  }
  return host;
}

function clientOptions(target: EventHubsTarget): Record<string, unknown> {
  return {
    // brewline retries itself (src/retry.ts) so it can count throttling and keep one backoff policy.
    retryOptions: { maxRetries: 0, timeoutInMs: target.timeoutMs },
    userAgent: 'brewline',
    ...(target.customEndpoint ? { customEndpointAddress: target.customEndpoint } : {}),
  };
}

async function credentialFor(auth: Extract<EventHubsAuth, { kind: 'entra-id' }>): Promise<TokenCredential> {
  if (auth.credential) return auth.credential;
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
}

/** Creates a producer client; the SDK is imported only here (lazy loading, STYLE.md 3). */
export async function createProducerClient(target: EventHubsTarget): Promise<EventHubProducerClient> {
  const { EventHubProducerClient } = await import('@azure/event-hubs');
  if (target.auth.kind === 'connection-string') {
    return new EventHubProducerClient(target.auth.connectionString, target.hub, clientOptions(target));
  }
  return new EventHubProducerClient(
    target.host,
    target.hub,
    await credentialFor(target.auth),
    clientOptions(target),
  );
}

export async function createConsumerClient(
  target: EventHubsTarget,
  consumerGroup: string,
): Promise<EventHubConsumerClient> {
  const { EventHubConsumerClient } = await import('@azure/event-hubs');
  // The consumer side keeps a few SDK retries: a subscription re-attaches by itself after a dropped link.
  const options = {
    ...clientOptions(target),
    // Short, growing delays (the SDK's default is a fixed 30 s): a wrong key fails in seconds, not minutes.
    retryOptions: {
      maxRetries: 3,
      timeoutInMs: target.timeoutMs,
      retryDelayInMs: 250,
      maxRetryDelayInMs: 2_000,
      mode: 0 /* RetryMode.Exponential */,
    },
  };
  if (target.auth.kind === 'connection-string') {
    return new EventHubConsumerClient(consumerGroup, target.auth.connectionString, target.hub, options);
  }
  return new EventHubConsumerClient(
    consumerGroup,
    target.host,
    target.hub,
    await credentialFor(target.auth),
    options,
  );
}
