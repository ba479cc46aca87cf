import { z } from 'zod';
import { positiveInt } from './fields.js';

/**
 * Azure Event Hubs settings shared by the sink (simulator) and the source (pipeline, monitor). How to sign in
 * is decided from what is set, in this order: `connectionString` (or the EVENTHUB_CONNECTION_STRING
 * environment variable, read by the backend so the secret never passes through flags or config echoes), else
 * `namespace` for keyless Microsoft Entra ID sign-in with DefaultAzureCredential.
 */
const connectionFields = {
  /** Event hub name; required unless the connection string carries EntityPath. Flag: --hub. */
  hub: z.string().min(1).optional(),
  /**
   * Fully qualified namespace (`<ns>.servicebus.windows.net`) for keyless sign-in with
   * DefaultAzureCredential (managed identity in containers, Azure CLI on a laptop). Flag: --namespace.
   */
  namespace: z.string().min(1).optional(),
  /**
   * `Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…[;EntityPath=…]`, or the emulator form with
   * `UseDevelopmentEmulator=true`. Prefer the EVENTHUB_CONNECTION_STRING environment variable: it is a secret.
   */
  connectionString: z.string().min(1).optional(),
  /** A different address to connect to (a proxy or a local test server); the namespace stays the audience. */
  customEndpoint: z.string().min(1).optional(),
  /** Per-operation timeout, ms. @default 60_000 */
  timeoutMs: positiveInt().default(60_000),
} as const;

/**
 * A blob checkpoint store: a storage account container holding `<namespace>/<hub>/<group>/checkpoint/<id>`
 * blobs. The connection string is a secret: prefer the EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING
 * environment variable (it is never a flag and never printed).
 */
export const checkpointStoreSchema = z
  .object({
    /**
     * Storage account connection string (`DefaultEndpointsProtocol=…;AccountName=…;AccountKey=…`, or with
     * `BlobEndpoint=` for azurite). @default the EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING environment variable
     */
    connectionString: z.string().min(1).optional(),
    /** Blob container the consumers were given. @default the EVENTHUB_CHECKPOINT_STORE_CONTAINER environment variable */
    container: z.string().min(1).optional(),
  })
  .strict();

export const eventHubsSinkConfigSchema = z
  .object({
    kind: z.literal('eventhubs'),
    ...connectionFields,
    /**
     * Cap ingress at N throughput units (1 MB/s or 1,000 events/s each, whichever binds first), so a run
     * stays under the namespace's quota instead of meeting ServerBusy. Flag: --throughput-units.
     * @default uncapped
     */
    throughputUnits: positiveInt().optional(),
    /** Concurrent `send` calls the simulator keeps in flight (backpressure window). @default 4 */
    maxInFlight: positiveInt().default(4),
    /** Largest batch in bytes (the hub's own limit when smaller). @default the hub's limit (1 MB on Standard) */
    maxBatchBytes: positiveInt().optional(),
    /**
     * How a branch picks its partition: `murmur2` computes it like Kafka and the in-process bus (same
     * partition numbers on every backend, one full batch per partition; the branch travels as the
     * `brewline-key` property); `service` sends the branch as the Event Hubs partition key and lets the
     * service hash it. @default 'murmur2'
     */
    partitioning: z.enum(['murmur2', 'service']).default('murmur2'),
    /** Retries for one batch on a lost connection or a timeout before the send fails. @default 8 */
    retries: positiveInt().default(8),
  })
  .strict();

export const eventHubsSourceConfigSchema = z
  .object({
    kind: z.literal('eventhubs'),
    ...connectionFields,
    /** Consumer group the pipeline reads with. Flag: --consumer-group. @default '$Default' */
    consumerGroup: z.string().min(1).default('$Default'),
    /** Events fetched per receive (the SDK's maxBatchSize). @default 500 */
    receiveBatchSize: positiveInt().default(500),
    /**
     * The external consumer group whose checkpoints `brewline lag --group` reads from the blob checkpoint
     * store (see `checkpointStore`). The pipeline itself never uses it. Flag: --group. @default none
     */
    group: z.string().min(1).optional(),
    /**
     * Where the consumers' `BlobCheckpointStore` (@azure/eventhubs-checkpointstore-blob) keeps their
     * checkpoints, for `brewline lag --group`. @default none (consumer-group lag unavailable)
     */
    checkpointStore: checkpointStoreSchema.optional(),
  })
  .strict();

export type EventHubsSinkConfig = z.output<typeof eventHubsSinkConfigSchema>;
export type EventHubsSourceConfig = z.output<typeof eventHubsSourceConfigSchema>;
/** What both sides need to connect. */
export type EventHubsConnectionConfig = Pick<
  EventHubsSinkConfig,
  'hub' | 'namespace' | 'connectionString' | 'customEndpoint' | 'timeoutMs'
>;

/** The environment variable holding the namespace connection string (never a flag: it is a secret). */
export const EVENTHUB_CONNECTION_STRING_ENV = 'EVENTHUB_CONNECTION_STRING';

/** The environment variable holding the checkpoint store's storage connection string (a secret, never a flag). */
export const EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING_ENV = 'EVENTHUB_CHECKPOINT_STORE_CONNECTION_STRING';
/** The environment variable naming the checkpoint store's blob container (when the config does not). */
export const EVENTHUB_CHECKPOINT_STORE_CONTAINER_ENV = 'EVENTHUB_CHECKPOINT_STORE_CONTAINER';

/** `brewline simulate` flags for the Event Hubs sink (flag attribute → config path). */
export const EVENTHUBS_SINK_FLAGS: Readonly<Record<string, string>> = {
  hub: 'sink.hub',
  namespace: 'sink.namespace',
  throughputUnits: 'sink.throughputUnits',
};

/** `brewline pipeline run` / `monitor` flags for the Event Hubs source. */
export const EVENTHUBS_SOURCE_FLAGS: Readonly<Record<string, string>> = {
  hub: 'source.hub',
  namespace: 'source.namespace',
  consumerGroup: 'source.consumerGroup',
};

/** Help texts shared by the commands that take these flags. */
export const EVENTHUBS_FLAG_HELP = {
  hub: 'Event Hubs: event hub name, when the connection string has no EntityPath',
  namespace:
    'Event Hubs: <ns>.servicebus.windows.net for keyless Microsoft Entra ID sign-in (else EVENTHUB_CONNECTION_STRING)',
  throughputUnits: 'Event Hubs: cap ingress at n throughput units (1 MB/s or 1,000 events/s each)',
  consumerGroup: 'Event Hubs: consumer group to read with (default $Default)',
} as const;
