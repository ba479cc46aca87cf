import type { ContainerClient } from '@azure/storage-blob';
import {
  EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING_ENV,
  EVENTHUB_CHECKPOINT_STORE_CONTAINER_ENV,
  type EventHubsSourceConfig,
} from '../../config/eventhubs-config.js';
import { BrewlineError, ConfigError, ExternalError } from '../../errors.js';
import type { PartitionOffsets } from '../types.js';

/** Where a consumer group's checkpoints are read from; `description` is safe to print. */
export interface CheckpointStoreTarget {
  readonly connectionString: string;
  /** Where the connection string came from, for error messages (never the string itself). */
  readonly origin: string;
  readonly container: string;
}

/** One checkpoint as `BlobCheckpointStore` stores it: the last event a consumer processed. */
export interface StoredCheckpoint {
  readonly partitionId: string;
  readonly sequenceNumber: number;
}

/** Decides the checkpoint store from config and environment; undefined when none is configured at all. */
export function resolveCheckpointStore(
  config: Pick<EventHubsSourceConfig, 'checkpointStore'>,
  env: NodeJS.ProcessEnv = process.env,
): CheckpointStoreTarget | undefined {
  const fromEnv = nonEmpty(env[EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING_ENV]);
  const connectionString = config.checkpointStore?.connectionString ?? fromEnv;
  const container =
    config.checkpointStore?.container ?? nonEmpty(env[EVENTHUB_CHECKPOINT_STORE_CONTAINER_ENV]);
  if (connectionString === undefined && container === undefined) return undefined;
  if (connectionString === undefined) {
    throw new ConfigError(
      `the Event Hubs checkpoint store (container "${container}") has no connection string`,
      {
        hint: `set ${EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING_ENV} to the storage account's connection string (Storage account → Access keys)`,
      },
    );
  }
  if (container === undefined) {
    throw new ConfigError('the Event Hubs checkpoint store has a connection string but no blob container', {
      hint: `set ${EVENTHUB_CHECKPOINT_STORE_CONTAINER_ENV} or source.checkpointStore.container to the container the consumers' BlobCheckpointStore uses`,
    });
  }
  return {
    connectionString,
    origin:
      config.checkpointStore?.connectionString !== undefined
        ? 'the source.checkpointStore.connectionString setting'
        : EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING_ENV,
    container,
  };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

/**
 * Converts checkpoints to brewline's processed offsets. A checkpoint holds the sequence number of the last
 * event the consumer processed, and a consumer resumes just after it; brewline's offsets are "next sequence
 * number to read", so processed = sequenceNumber + 1 (and lag = last enqueued + 1 − processed). Partitions
 * without a checkpoint are left out: lag counts them from their earliest event.
 */
export function checkpointsToOffsets(checkpoints: readonly StoredCheckpoint[]): PartitionOffsets {
  const offsets: Record<string, number> = {};
  for (const c of checkpoints) {
    if (!/^\d+$/.test(c.partitionId) || !Number.isSafeInteger(c.sequenceNumber)) continue;
    offsets[String(Number(c.partitionId))] = c.sequenceNumber + 1;
  }
  return offsets;
}

/** The storage SDK's RestError shape. */
interface RestErrorLike {
  readonly name?: string;
  readonly code?: string;
  readonly statusCode?: number;
  readonly message?: string;
}

/**
 * Reads a consumer group's checkpoints with the real `BlobCheckpointStore`. The SDKs are imported here
 * only, when consumer-group lag is asked for (lazy loading, STYLE.md 3).
 */
export class EventHubsCheckpointReader {
  private container: Promise<ContainerClient> | undefined;
  private readonly account: string;

  constructor(
    private readonly store: CheckpointStoreTarget,
    private readonly timeoutMs: number,
  ) {
    this.account = accountOf(store.connectionString);
  }

  /** Safe to print: `blob container "checkpoints" of storage account devstoreaccount1`. */
  get description(): string {
    return `blob container "${this.store.container}" of storage account ${this.account}`;
  }

  /** Processed offsets of `group` on `fullyQualifiedNamespace`/`hub`, keyed by partition number. */
  async groupOffsets(fullyQualifiedNamespace: string, hub: string, group: string): Promise<PartitionOffsets> {
    const container = await this.containerClient();
    const { BlobCheckpointStore } = await import('@azure/eventhubs-checkpointstore-blob');
    const store = new BlobCheckpointStore(container);
    try {
      const checkpoints = await store.listCheckpoints(fullyQualifiedNamespace, hub, group, {
        abortSignal: AbortSignal.timeout(this.timeoutMs),
      });
      return checkpointsToOffsets(checkpoints);
    } catch (error) {
      throw this.translate(error, group);
    }
  }

  private containerClient(): Promise<ContainerClient> {
    this.container ??= (async () => {
      const { BlobServiceClient } = await import('@azure/storage-blob');
      let service;
      try {
        service = BlobServiceClient.fromConnectionString(this.store.connectionString, {
          // A few quick tries, not the SDK's default minutes of backoff: lag is a one-shot look-up.
          retryOptions: { maxTries: 3, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 },
          userAgentOptions: { userAgentPrefix: 'brewline' },
        });
      } catch (error) {
        // The SDK's message may quote parts of the string: say what is wrong without it.
        throw new ConfigError(`the storage connection string in ${this.store.origin} is malformed`, {
          cause: error,
          hint: 'expected DefaultEndpointsProtocol=https;AccountName=<account>;AccountKey=<key>;EndpointSuffix=core.windows.net (Storage account → Access keys), or BlobEndpoint=http://127.0.0.1:<port>/devstoreaccount1 with the azurite account for a local store',
        });
      }
      return service.getContainerClient(this.store.container);
    })();
    return this.container;
  }

  private translate(error: unknown, group: string): BrewlineError {
    if (error instanceof BrewlineError) return error;
    const e = (typeof error === 'object' && error !== null ? error : {}) as RestErrorLike;
    const doing = `reading the checkpoints of consumer group "${group}" from ${this.description}`;
    if (e.code === 'ContainerNotFound' || (e.statusCode === 404 && e.code !== 'BlobNotFound')) {
      return new ExternalError(`${this.description} does not exist`, {
        cause: error,
        hint: `check ${EVENTHUB_CHECKPOINT_STORE_CONTAINER_ENV} (or source.checkpointStore.container): it must name the container the consumers' BlobCheckpointStore writes to`,
      });
    }
    if (e.statusCode === 403 || e.code === 'AuthenticationFailed' || e.code === 'AuthorizationFailure') {
      return new ExternalError(`the storage account refused the credentials while ${doing}`, {
        cause: error,
        hint: `check AccountName and AccountKey in ${this.store.origin} (the key needs read and list rights on the container)`,
      });
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return new ExternalError(`timed out after ${this.timeoutMs} ms ${doing}`, {
        cause: error,
        retriable: true,
        hint: 'check that the storage account is reachable from here',
      });
    }
    const detail = (e.message ?? String(error)).split('\n')[0];
    return new ExternalError(`storage error while ${doing}: ${detail}`, {
      cause: error,
      retriable: e.statusCode === undefined || e.statusCode >= 500,
      hint: `check that the blob endpoint in ${this.store.origin} is reachable from here`,
    });
  }
}

/** The account name of a storage connection string, for messages; never the key. */
function accountOf(connectionString: string): string {
  const name = /(?:^|;)\s*AccountName=([^;]+)/i.exec(connectionString)?.[1]?.trim();
  if (name) return name;
  return /UseDevelopmentStorage=true/i.test(connectionString) ? 'devstoreaccount1' : '(unnamed)';
}
