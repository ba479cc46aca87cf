import { BrewlineError, ExternalError } from '../../errors.js';

/**
 * Turns an error from either Kafka client into one ExternalError a user can act on: auth, TLS, unknown
 * topic and unreachable brokers each get a hint; retriable-ness comes from the client's own verdict or the
 * network error code. Library errors nest (AggregateError, `cause`), so every layer is inspected.
 */
interface ErrorFacts {
  readonly texts: string[];
  readonly codes: Set<string>;
  retriable: boolean | undefined;
}

function collect(error: unknown, facts: ErrorFacts, depth = 0): void {
  if (depth > 6 || error === null || typeof error !== 'object') {
    if (typeof error === 'string') facts.texts.push(error);
    return;
  }
  const e = error as Record<string, unknown>;
  if (typeof e['message'] === 'string') facts.texts.push(e['message']);
  for (const key of ['code', 'type', 'apiId', 'name']) {
    const v = e[key];
    if (typeof v === 'string' && v.length > 0) facts.codes.add(v.toUpperCase());
  }
  for (const key of ['retriable', 'canRetry']) {
    const v = e[key];
    if (typeof v === 'boolean') facts.retriable = (facts.retriable ?? false) || v;
  }
  if (Array.isArray(e['errors'])) for (const inner of e['errors']) collect(inner, facts, depth + 1);
  if ('cause' in e) collect(e['cause'], facts, depth + 1);
  if ('originalError' in e) collect(e['originalError'], facts, depth + 1);
}

/**
 * The broker refuses this producer id's sequence numbers or epoch (idempotent producer): only a new producer
 * id can send again.
 */
export function producerStateLost(error: unknown): boolean {
  const facts: ErrorFacts = { texts: [], codes: new Set(), retriable: undefined };
  collect(error, facts);
  return (
    [
      'OUT_OF_ORDER_SEQUENCE_NUMBER',
      'INVALID_PRODUCER_EPOCH',
      'UNKNOWN_PRODUCER_ID',
      'INVALID_PRODUCER_ID_MAPPING',
    ].some((c) => facts.codes.has(c)) ||
    /OUT_OF_ORDER_SEQUENCE|INVALID_PRODUCER_EPOCH|UNKNOWN_PRODUCER_ID|out of order sequence|producer (id|epoch)/i.test(
      facts.texts.join(' | '),
    )
  );
}

const TLS_CODES = [
  'EPROTO',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
];
const NETWORK_CODES = [
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'KAFKAJSCONNECTIONERROR',
  'KAFKAJSNUMBEROFRETRIESEXCEEDED',
  'KAFKAJSREQUESTTIMEOUTERROR',
  'KAFKAJSCONNECTIONCLOSEDERROR',
  'PLT_KFK_NETWORK',
  'PLT_KFK_TIMEOUT',
  'NETWORKERROR',
  'TIMEOUTERROR',
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'NOT_COORDINATOR',
  'COORDINATOR_NOT_AVAILABLE',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'REQUEST_TIMED_OUT',
  'NOT_ENOUGH_REPLICAS',
  'NETWORK_EXCEPTION',
  'BROKER_NOT_AVAILABLE',
];

export type KafkaErrorKind = 'auth' | 'tls' | 'unknown-topic' | 'too-large' | 'unreachable' | 'other';

export interface ClassifiedKafkaError {
  readonly kind: KafkaErrorKind;
  readonly retriable: boolean;
  readonly detail: string;
}

export function classifyKafkaError(error: unknown): ClassifiedKafkaError {
  const facts: ErrorFacts = { texts: [], codes: new Set(), retriable: undefined };
  collect(error, facts);
  const text = facts.texts.join(' | ');
  const has = (...codes: string[]): boolean => codes.some((c) => facts.codes.has(c));
  const detail =
    facts.texts.find((t) => t.length > 0 && !/^Producing messages failed\.?$/.test(t)) ?? String(error);
  if (
    has(
      'SASL_AUTHENTICATION_FAILED',
      'ILLEGAL_SASL_STATE',
      'UNSUPPORTED_SASL_MECHANISM',
      'PLT_KFK_AUTHENTICATION',
      'AUTHENTICATIONERROR',
      'KAFKAJSSASLAUTHENTICATIONERROR',
      'TOPIC_AUTHORIZATION_FAILED',
      'CLUSTER_AUTHORIZATION_FAILED',
      'GROUP_AUTHORIZATION_FAILED',
    ) ||
    /SASL|authenticat|authoriz/i.test(text)
  ) {
    return { kind: 'auth', retriable: false, detail };
  }
  if (
    has(...TLS_CODES) ||
    /certificate|SSL routines|wrong version number|\bTLS\b/i.test(text) ||
    [...facts.codes].some((c) => c.startsWith('ERR_SSL') || c.startsWith('ERR_TLS'))
  ) {
    return { kind: 'tls', retriable: false, detail };
  }
  if (
    has('UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID') ||
    /unknown topic|does not host this topic|topic .* not (found|exist)/i.test(text)
  ) {
    // Right after creation a topic can be briefly unknown to a broker: retriable, but a clear message if it persists.
    return { kind: 'unknown-topic', retriable: true, detail };
  }
  if (has('MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE'))
    return { kind: 'too-large', retriable: false, detail };
  if (
    has(...NETWORK_CODES) ||
    /ECONNREFUSED|Connection (error|closed|timeout)|socket hang up|timed? ?out/i.test(text)
  ) {
    return { kind: 'unreachable', retriable: true, detail };
  }
  return { kind: 'other', retriable: facts.retriable ?? false, detail };
}

/** An ExternalError for the user, with what to check; `where` says which broker/topic (no secrets). */
export function toKafkaError(error: unknown, action: string, where: string): BrewlineError {
  if (error instanceof BrewlineError) return error;
  const c = classifyKafkaError(error);
  switch (c.kind) {
    case 'auth':
      return new ExternalError(`Kafka refused the credentials while ${action} (${where})`, {
        cause: error,
        hint: 'check the SASL mechanism, username and password (KAFKA_SASL_*), or the Event Hubs connection string and its policy (Send/Listen)',
      });
    case 'tls':
      return new ExternalError(`TLS handshake with Kafka failed while ${action} (${where})`, {
        cause: error,
        hint: 'check --tls / KAFKA_TLS matches the listener (TLS port vs plaintext), and tls.caFile for a private CA',
      });
    case 'unknown-topic':
      return new ExternalError(`the Kafka topic does not exist while ${action} (${where})`, {
        cause: error,
        retriable: c.retriable,
        hint: 'create it (the sink creates it with --partitions unless createTopic is false), or check --topic / KAFKA_TOPIC',
      });
    case 'too-large':
      return new ExternalError(`Kafka rejected a message as too large while ${action} (${where})`, {
        cause: error,
        hint: 'lower sink.maxMessageBytes to the broker/topic max.message.bytes so oversize messages are rejected before sending',
      });
    case 'unreachable':
      return new ExternalError(`cannot reach Kafka while ${action} (${where})`, {
        cause: error,
        retriable: true,
        hint: 'is the broker running and the address right? `npm run kafka:start` starts a local one and prints its address',
      });
    default:
      return new ExternalError(`Kafka failed while ${action} (${where}): ${c.detail}`, {
        cause: error,
        retriable: c.retriable,
      });
  }
}
