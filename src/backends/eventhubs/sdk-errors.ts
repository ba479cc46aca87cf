import { BrewlineError, ExternalError } from '../../errors.js';
import type { EventHubsTarget } from './connection.js';

/** The SDK's MessagingError shape (core-amqp): a `code` naming the condition and its own retry verdict. */
interface MessagingErrorLike {
  readonly name?: string;
  readonly code?: string;
  readonly message?: string;
  readonly retryable?: boolean;
}

/** Conditions that pass with time: throttling, a lost or busy link, a timeout. */
const TRANSIENT_CODES = new Set([
  'ServerBusyError',
  'ServiceUnavailableError',
  'OperationTimeoutError',
  'SenderBusyError',
  'SenderNotReadyError',
  'InternalServerError',
  'DetachForcedError',
  'ConnectionForcedError',
  'ConnectionLostError',
  'ConnectionCloseError',
  'InsufficientCreditError',
  'MessagingError',
]);

/**
 * Socket errors of a link that broke under a send (the peer reset or closed it). core-amqp maps only some
 * system errors to AMQP conditions and marks the rest (EPIPE among them) not retryable, although a new
 * connection fixes every one of these.
 */
const BROKEN_LINK_ERRNOS = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNABORTED',
  'ECONNREFUSED',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETRESET',
  'ENETDOWN',
  'EAI_AGAIN',
]);

/** Conditions no retry can fix (besides the ones translated with their own message below). */
const PERMANENT_CODES = new Set([
  'ArgumentError',
  'InvalidOperationError',
  'MessagingEntityDisabledError',
  'QuotaExceededError',
  'NotImplementedError',
  'SequenceOutOfOrderError',
  'ProducerDisconnectedError',
]);

function asMessagingError(error: unknown): MessagingErrorLike {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return asMessagingError(error.errors[error.errors.length - 1]);
  }
  return (
    typeof error === 'object' && error !== null ? error : { message: String(error) }
  ) as MessagingErrorLike;
}

/** ServerBusy (com.microsoft:server-busy): the namespace's throughput units are used up for now. */
export function isThrottling(error: unknown): boolean {
  return asMessagingError(error).code === 'ServerBusyError';
}

/**
 * Turns an SDK error into brewline's family with one line saying what to fix. Transient conditions come out
 * retriable (the one retrier decides), auth and naming problems do not.
 */
export function translateEventHubsError(
  error: unknown,
  target: EventHubsTarget,
  doing: string,
): BrewlineError {
  if (error instanceof BrewlineError) return error;
  const e = asMessagingError(error);
  const code = e.code ?? '';
  const detail = (e.message ?? '').split('\n')[0]!.replace(/\s*TrackingId:.*$/, '');
  switch (code) {
    case 'UnauthorizedError':
      return new ExternalError(`Event Hubs refused the credentials while ${doing} (${target.description})`, {
        cause: error,
        hint:
          target.auth.kind === 'entra-id'
            ? 'check that this identity has the "Azure Event Hubs Data Sender/Receiver" role on the hub (az login locally, a managed identity in containers)'
            : 'check SharedAccessKeyName and SharedAccessKey in EVENTHUB_CONNECTION_STRING (the policy needs Send/Listen rights)',
      });
    case 'MessagingEntityNotFoundError':
      return new ExternalError(`event hub "${target.hub}" does not exist on ${target.host}`, {
        cause: error,
        hint: 'check --hub or EntityPath in the connection string (hub names are listed under Entities → Event Hubs in the portal)',
      });
    case 'ArgumentOutOfRangeError':
      return new ExternalError(`Event Hubs rejected a partition or position while ${doing}: ${detail}`, {
        cause: error,
      });
    case 'MessageTooLargeError':
      return new ExternalError(`a batch was larger than ${target.description} accepts: ${detail}`, {
        cause: error,
        hint: 'lower maxBatchBytes in the eventhubs sink settings',
      });
    default:
      break;
  }
  // Anything not known to be permanent is worth a bounded retry: on a flaky link the SDK reports lost
  // connections under several names (and sometimes as "Unknown error encountered").
  const permanent =
    !BROKEN_LINK_ERRNOS.has(code) &&
    (PERMANENT_CODES.has(code) ||
      error instanceof TypeError ||
      error instanceof RangeError ||
      (e.retryable === false && !TRANSIENT_CODES.has(code) && code !== ''));
  const transient = !permanent;
  return new ExternalError(
    `Event Hubs error while ${doing} (${target.description}): ${detail || code || 'unknown error'}`,
    {
      cause: error,
      retriable: transient,
      ...(code === 'ServiceCommunicationError' || code === 'ConnectionForcedError'
        ? { hint: `check that ${target.host} is reachable from here (port 5671, or 5672 for the emulator)` }
        : {}),
    },
  );
}
