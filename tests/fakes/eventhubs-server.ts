import { once } from 'node:events';
import type { AddressInfo, Server } from 'node:net';
import rhea, {
  type Connection,
  type Delivery,
  type EventContext,
  type Message,
  type Receiver,
  type Sender,
} from 'rhea';
import { partitionForKey } from './eventhubs/partition-key-hash.js';
import { PartitionLog, type StoredEvent } from './eventhubs/partition-log.js';
import { verifySasToken } from './eventhubs/sas-token.js';
import { parseSelectorFilter, type EventPositionFilter } from './eventhubs/selector-filter.js';

/**
 * A small Azure Event Hubs service speaking AMQP 1.0 on loopback, for testing brewline's backend with the real
 * `@azure/event-hubs` SDK (INTEGRATIONS.md). It is a protocol peer, not a stub of the SDK: it answers `$cbs`
 * put-token with SAS signature checks, `$management` READ for hubs and partitions, accepts batches (message
 * format 0x80013700) on `<hub>` and `<hub>/Partitions/<id>` links, stores them per partition with monotonic
 * sequence numbers and offsets, and serves receivers on `<hub>/ConsumerGroups/<cg>/Partitions/<id>` honouring
 * selector filters and link credit. Switches inject throttling (`com.microsoft:server-busy`), throughput-unit
 * ingress limits and dropped connections.
 */
export interface EventHubsTestServerOptions {
  /** Event hubs and their partition counts. @default { orders: 4 } */
  hubs?: Readonly<Record<string, number>>;
  /** @default 'RootManageSharedAccessKey' */
  keyName?: string;
  /** The SAS key; the emulator's well-known value by default. @default 'SAS_KEY_VALUE' */
  key?: string;
  /** Bearer tokens (type `jwt`, e.g. from Entra ID) the `$cbs` node accepts. @default [] */
  bearerTokens?: readonly string[];
  /** Largest batch accepted, in bytes (Standard tier: 1 MB). @default 1_048_576 */
  maxMessageBytes?: number;
  /** Ingress limit like the service's: N × (1 MB/s or 1,000 events/s); beyond it, server-busy. @default unlimited */
  throughputUnits?: number;
  /** Enqueued-time source (ms). @default Date.now */
  now?: () => number;
  /** Serve TLS (AMQPS) instead of plain AMQP. */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

/** Counters a test (or a lag assertion) reads; everything the service did, observable from outside. */
export interface EventHubsServerStats {
  connections: number;
  batches: number;
  events: number;
  throttled: number;
  oversize: number;
  unauthorized: number;
  dropped: number;
}

const BATCH_FORMAT = 0x80013700;
const SELECTOR_FILTER = 'apache.org:selector-filter:string';
const RECEIVER_CREDIT = 50;

interface ReceiverLinkState {
  readonly sender: Sender;
  readonly log: PartitionLog;
  next: number;
  unsubscribe: () => void;
}

interface Claim {
  /** Entity path the token covers, e.g. `orders` or `orders/Partitions/1` (prefix match). */
  readonly path: string;
}

type Target = { hub: string; partition: string | undefined };

/** Anything rhea stores on a link that its typings leave out (local attach fields, remote terminus). */
interface LinkInternals {
  local: { attach: { max_message_size?: number } };
  remote: {
    attach?: {
      source?: { address?: string; filter?: Record<string, unknown> };
      target?: { address?: string };
    };
  };
}

export class EventHubsTestServer {
  readonly stats: EventHubsServerStats = {
    connections: 0,
    batches: 0,
    events: 0,
    throttled: 0,
    oversize: 0,
    unauthorized: 0,
    dropped: 0,
  };
  private readonly hubs = new Map<string, { createdAt: Date; partitions: PartitionLog[] }>();
  private readonly keyName: string;
  private readonly key: string;
  private readonly bearerTokens: Set<string>;
  readonly maxMessageBytes: number;
  private throughputUnits: number | undefined;
  private readonly now: () => number;
  private readonly container = rhea.create_container({ id: 'brewline-eventhubs-test-server' });
  private server: Server | undefined;
  private readonly connections = new Set<Connection>();
  private readonly claims = new Map<Connection, Claim[]>();
  private readonly receivers = new Map<Sender, ReceiverLinkState>();
  private readonly pendingReplies = new Map<Sender, Message[]>();
  private readonly roundRobin = new Map<string, number>();
  private throttleNext = 0;
  private ingressWindow = { second: 0, events: 0, bytes: 0 };
  private readonly tls: EventHubsTestServerOptions['tls'];

  private constructor(options: EventHubsTestServerOptions) {
    for (const [name, partitions] of Object.entries(options.hubs ?? { orders: 4 })) {
      this.hubs.set(name, {
        createdAt: new Date(),
        partitions: Array.from({ length: partitions }, (_, i) => new PartitionLog(String(i))),
      });
    }
    this.keyName = options.keyName ?? 'RootManageSharedAccessKey';
    this.key = options.key ?? 'SAS_KEY_VALUE';
    this.bearerTokens = new Set(options.bearerTokens ?? []);
    this.maxMessageBytes = options.maxMessageBytes ?? 1_048_576;
    this.throughputUnits = options.throughputUnits;
    this.now = options.now ?? Date.now;
    this.tls = options.tls;
    this.wire();
  }

  /** Starts a server on a free loopback port. */
  static async start(options: EventHubsTestServerOptions = {}): Promise<EventHubsTestServer> {
    const server = new EventHubsTestServer(options);
    // Receivers get credit by hand (so a refused attach never grants any) and every batch is settled by hand.
    const common = { host: '127.0.0.1', port: 0, credit_window: 0, autoaccept: false };
    server.server = server.tls
      ? server.container.listen({ ...common, transport: 'tls', key: server.tls.key, cert: server.tls.cert })
      : server.container.listen(common);
    await once(server.server, 'listening');
    return server;
  }

  get port(): number {
    return (this.server?.address() as AddressInfo).port;
  }

  /** The emulator form the SDK accepts for plain AMQP on loopback (INTEGRATIONS.md). */
  connectionString(
    hub = 'orders',
    options: { key?: string; keyName?: string; entityPath?: boolean } = {},
  ): string {
    const parts = [
      `Endpoint=sb://127.0.0.1:${this.port}`,
      `SharedAccessKeyName=${options.keyName ?? this.keyName}`,
      `SharedAccessKey=${options.key ?? this.key}`,
      'UseDevelopmentEmulator=true',
    ];
    if (options.entityPath !== false) parts.push(`EntityPath=${hub}`);
    return `${parts.join(';')};`;
  }

  /** Stored events of one partition still held (for assertions). */
  events(hub: string, partition: number): readonly StoredEvent[] {
    const log = this.partitionLog(hub, String(partition));
    if (!log) throw new RangeError(`no partition ${partition} in hub ${hub}`);
    return Array.from({ length: log.length - log.begin }, (_, i) => log.at(log.begin + i)!);
  }

  /** Retention: removes a partition's oldest events, keeping the last `keep`. */
  expire(hub: string, partition: number, keep = 1): void {
    const log = this.partitionLog(hub, String(partition));
    if (!log) throw new RangeError(`no partition ${partition} in hub ${hub}`);
    log.expire(keep);
  }

  /** Decoded bodies (UTF-8) of one partition's events, in sequence order. */
  bodies(hub: string, partition: number): string[] {
    return this.events(hub, partition).map((e) => decodeBody(e.encoded));
  }

  /** The service's own view of a partition, as `$management` reports it. */
  partitionProperties(hub: string, partition: number): ReturnType<PartitionLog['properties']> {
    const log = this.partitionLog(hub, String(partition));
    if (!log) throw new RangeError(`no partition ${partition} in hub ${hub}`);
    return log.properties();
  }

  partitionCount(hub: string): number {
    return this.hubs.get(hub)?.partitions.length ?? 0;
  }

  /** Adds partitions to a hub (Event Hubs lets Premium/Dedicated hubs grow). */
  addPartitions(hub: string, count: number): void {
    const entry = this.hubs.get(hub);
    if (!entry) throw new RangeError(`no hub ${hub}`);
    for (let i = 0; i < count; i++) entry.partitions.push(new PartitionLog(String(entry.partitions.length)));
  }

  /** The next `count` batches are refused with `com.microsoft:server-busy`. */
  throttle(count: number): void {
    this.throttleNext += count;
  }

  /** Sets (or lifts, with undefined) the throughput-unit ingress limit. */
  setThroughputUnits(units: number | undefined): void {
    this.throughputUnits = units;
  }

  /** Drops every client connection: `reset` cuts the sockets, `forced` closes with `amqp:connection:forced`. */
  dropConnections(mode: 'reset' | 'forced' = 'reset'): number {
    const dropped = [...this.connections];
    for (const connection of dropped) {
      this.forget(connection);
      if (mode === 'forced') {
        connection.close({
          condition: 'amqp:connection:forced',
          description: 'The connection was closed by the test server.',
        });
      } else {
        (connection as unknown as { socket?: { destroy(): void } }).socket?.destroy();
      }
    }
    this.stats.dropped += dropped.length;
    return dropped.length;
  }

  async stop(): Promise<void> {
    for (const connection of [...this.connections]) {
      this.forget(connection);
      (connection as unknown as { socket?: { destroy(): void } }).socket?.destroy();
    }
    const server = this.server;
    this.server = undefined;
    if (server?.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private wire(): void {
    const c = this.container;
    c.on('connection_open', (ctx: EventContext) => {
      tolerateLateFrames(ctx.connection);
      this.connections.add(ctx.connection);
      this.claims.set(ctx.connection, []);
      this.stats.connections++;
    });
    c.on('disconnected', (ctx: EventContext) => this.forget(ctx.connection));
    c.on('connection_close', (ctx: EventContext) => this.forget(ctx.connection));
    c.on('receiver_open', (ctx: EventContext) => this.onClientSender(ctx.receiver!));
    c.on('sender_open', (ctx: EventContext) => this.onClientReceiver(ctx.sender!));
    c.on('message', (ctx: EventContext) => this.onMessage(ctx));
    c.on('sendable', (ctx: EventContext) => this.onSendable(ctx.sender!));
    c.on('sender_close', (ctx: EventContext) => this.dropReceiver(ctx.sender!));
    // Errors of a single client (a reset socket, a link it closed with an error) are not the server's.
    c.on('error', () => undefined);
    c.on('connection_error', () => undefined);
  }

  private forget(connection: Connection): void {
    if (!this.connections.delete(connection)) return;
    this.claims.delete(connection);
    for (const [sender, state] of this.receivers) {
      if (sender.connection === connection) {
        state.unsubscribe();
        this.receivers.delete(sender);
      }
    }
    for (const sender of this.pendingReplies.keys()) {
      if (sender.connection === connection) this.pendingReplies.delete(sender);
    }
  }

  /** The client attached a sending link: `$cbs`, `$management`, a hub or one of its partitions. */
  private onClientSender(receiver: Receiver): void {
    const internals = receiver as unknown as LinkInternals;
    const address = internals.remote.attach?.target?.address ?? '';
    receiver.set_target({ address });
    if (address === '$cbs' || address === '$management') {
      receiver.add_credit(100);
      return;
    }
    const target = this.resolveSenderAddress(address);
    if ('error' in target) {
      receiver.close(target.error);
      return;
    }
    if (!this.isAuthorized(receiver.connection, address)) {
      this.stats.unauthorized++;
      receiver.close({
        condition: 'amqp:unauthorized-access',
        description: `Unauthorized access. 'Send' claim(s) are required to perform this operation. Resource: '${address}'.`,
      });
      return;
    }
    internals.local.attach.max_message_size = this.maxMessageBytes;
    receiver.add_credit(RECEIVER_CREDIT);
  }

  /** The client attached a receiving link: a `$cbs`/`$management` reply link, or a partition reader. */
  private onClientReceiver(sender: Sender): void {
    const internals = sender as unknown as LinkInternals;
    const source = internals.remote.attach?.source;
    const address = source?.address ?? '';
    sender.set_source({ address });
    if (address === '$cbs' || address === '$management') return;
    const match = /^([^/]+)\/ConsumerGroups\/([^/]+)\/Partitions\/([^/]+)$/.exec(address);
    if (!match) {
      sender.close({
        condition: 'amqp:not-found',
        description: `The messaging entity '${address}' could not be found.`,
      });
      return;
    }
    const [, hub, , partition] = match as unknown as [string, string, string, string];
    if (!this.hubs.has(hub)) {
      sender.close(notFound(hub));
      return;
    }
    const log = this.partitionLog(hub, partition);
    if (!log) {
      sender.close(outOfRange(hub, partition));
      return;
    }
    if (!this.isAuthorized(sender.connection, address)) {
      this.stats.unauthorized++;
      sender.close({
        condition: 'amqp:unauthorized-access',
        description: `Unauthorized access. 'Listen' claim(s) are required to perform this operation. Resource: '${address}'.`,
      });
      return;
    }
    const filter = readFilter(source?.filter);
    if ('error' in filter) {
      sender.close({ condition: 'amqp:not-implemented', description: filter.error });
      return;
    }
    const state: ReceiverLinkState = {
      sender,
      log,
      next: log.startIndex(filter),
      unsubscribe: () => undefined,
    };
    state.unsubscribe = log.onAppend(() => this.pump(state));
    this.receivers.set(sender, state);
  }

  private dropReceiver(sender: Sender): void {
    const state = this.receivers.get(sender);
    if (!state) return;
    state.unsubscribe();
    this.receivers.delete(sender);
  }

  private onSendable(sender: Sender): void {
    const state = this.receivers.get(sender);
    if (state) {
      this.pump(state);
      return;
    }
    this.flushReplies(sender);
  }

  /** Delivers stored events to a reader while it has credit. */
  private pump(state: ReceiverLinkState): void {
    const { sender, log } = state;
    // Retention may have removed what this reader was about to get; it continues at the oldest event held.
    if (state.next < log.begin) state.next = log.begin;
    while (state.next < log.length && sender.sendable()) {
      const event = log.at(state.next++)!;
      sender.send(toDelivery(event));
    }
  }

  private onMessage(ctx: EventContext): void {
    const receiver = ctx.receiver!;
    const delivery = ctx.delivery!;
    const address = (receiver as unknown as LinkInternals).remote.attach?.target?.address ?? '';
    // Replace the credit this transfer used, so a well-behaved client can keep sending.
    receiver.add_credit(1);
    if (address === '$cbs') {
      this.onPutToken(ctx.connection, ctx.message!);
      delivery.accept();
      return;
    }
    if (address === '$management') {
      this.onManagement(ctx.connection, ctx.message!);
      delivery.accept();
      return;
    }
    this.onBatch(address, ctx.message as unknown, delivery);
  }

  private onBatch(address: string, payload: unknown, delivery: Delivery): void {
    const target = this.resolveSenderAddress(address);
    if ('error' in target) {
      delivery.reject(target.error);
      return;
    }
    const format = (delivery as unknown as { format?: number }).format ?? 0;
    // A batch (format 0x80013700) arrives undecoded: an envelope whose data sections are encoded messages.
    // A single event (format 0) arrives decoded by rhea; re-encode it so every stored event has the same shape.
    const raw =
      format === BATCH_FORMAT
        ? (payload as Buffer)
        : rhea.message.encode(payload as Parameters<typeof rhea.message.encode>[0]);
    if (raw.length > this.maxMessageBytes) {
      this.stats.oversize++;
      delivery.reject({
        condition: 'amqp:link:message-size-exceeded',
        description: `The received message (delivery-id:${delivery.id}, size:${raw.length} bytes) exceeds the limit (${this.maxMessageBytes} bytes) currently allowed on the link.`,
      });
      return;
    }
    const envelope = rhea.message.decode(raw) as unknown as Message;
    const events = format === BATCH_FORMAT ? dataSections(envelope) : [raw];
    if (this.isThrottled(events.length, raw.length)) {
      this.stats.throttled++;
      delivery.reject({
        condition: 'com.microsoft:server-busy',
        description: 'The request was terminated because the entity is being throttled. Error code : 50002.',
      });
      return;
    }
    const entry = this.hubs.get(target.hub)!;
    const envelopeKey = envelope.message_annotations?.['x-opt-partition-key'] as string | undefined;
    let log: PartitionLog;
    if (target.partition !== undefined) {
      log = entry.partitions[Number(target.partition)]!;
    } else if (envelopeKey !== undefined) {
      log = entry.partitions[partitionForKey(envelopeKey, entry.partitions.length)]!;
    } else {
      const next = this.roundRobin.get(target.hub) ?? 0;
      this.roundRobin.set(target.hub, next + 1);
      log = entry.partitions[next % entry.partitions.length]!;
    }
    const enqueued = this.now();
    for (const encoded of events) log.append(encoded, envelopeKey, enqueued);
    this.stats.batches++;
    this.stats.events += events.length;
    delivery.accept();
    log.notify();
  }

  private isThrottled(events: number, bytes: number): boolean {
    if (this.throttleNext > 0) {
      this.throttleNext--;
      return true;
    }
    if (this.throughputUnits === undefined) return false;
    const second = Math.floor(this.now() / 1000);
    if (second !== this.ingressWindow.second) this.ingressWindow = { second, events: 0, bytes: 0 };
    const w = this.ingressWindow;
    if (
      w.events + events > this.throughputUnits * 1000 ||
      w.bytes + bytes > this.throughputUnits * 1_048_576
    ) {
      return true;
    }
    w.events += events;
    w.bytes += bytes;
    return false;
  }

  private onPutToken(connection: Connection, request: Message): void {
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    const audience = String(props['name'] ?? '');
    const type = String(props['type'] ?? '');
    const token = typeof request.body === 'string' ? request.body : String(request.body ?? '');
    let verdict: { ok: true } | { ok: false; reason: string };
    if (props['operation'] !== 'put-token') {
      verdict = { ok: false, reason: `unsupported $cbs operation ${String(props['operation'])}` };
    } else if (type === 'jwt') {
      verdict = this.bearerTokens.has(token)
        ? { ok: true }
        : { ok: false, reason: 'InvalidIssuer: Token issuer is invalid.' };
    } else {
      verdict = verifySasToken(token, audience, { keyName: this.keyName, key: this.key, nowMs: this.now() });
    }
    if (verdict.ok) {
      this.claims.get(connection)?.push({ path: entityPath(audience) });
    } else {
      this.stats.unauthorized++;
    }
    this.reply(
      connection,
      request,
      '$cbs',
      verdict.ok ? 202 : 401,
      verdict.ok ? 'Accepted' : verdict.reason,
      undefined,
    );
  }

  private onManagement(connection: Connection, request: Message): void {
    const props = (request.application_properties ?? {}) as Record<string, unknown>;
    const hubName = String(props['name'] ?? '');
    const hub = this.hubs.get(hubName);
    const token = props['security_token'];
    const tokenOk =
      typeof token === 'string' &&
      (this.bearerTokens.has(token) ||
        verifySasToken(token, undefined, { keyName: this.keyName, key: this.key, nowMs: this.now() }).ok);
    if (!tokenOk) {
      this.stats.unauthorized++;
      this.reply(
        connection,
        request,
        '$management',
        401,
        'InvalidSignature: The token has an invalid signature.',
        undefined,
      );
      return;
    }
    if (props['operation'] !== 'READ') {
      this.reply(
        connection,
        request,
        '$management',
        400,
        `unsupported operation ${String(props['operation'])}`,
        undefined,
      );
      return;
    }
    if (!hub) {
      this.reply(
        connection,
        request,
        '$management',
        404,
        `The messaging entity '${hubName}' could not be found.`,
        undefined,
      );
      return;
    }
    if (props['type'] === 'com.microsoft:eventhub') {
      this.reply(connection, request, '$management', 200, 'OK', {
        name: hubName,
        created_at: hub.createdAt,
        partition_count: hub.partitions.length,
        partition_ids: hub.partitions.map((p) => p.id),
      });
      return;
    }
    if (props['type'] === 'com.microsoft:partition') {
      const partition = String(props['partition'] ?? '');
      const log = this.partitionLog(hubName, partition);
      if (!log) {
        const error = outOfRange(hubName, partition);
        this.reply(connection, request, '$management', 400, error.description, undefined, error.condition);
        return;
      }
      const p = log.properties();
      this.reply(connection, request, '$management', 200, 'OK', {
        name: hubName,
        partition,
        begin_sequence_number: rhea.types.wrap_long(p.begin_sequence_number),
        last_enqueued_sequence_number: rhea.types.wrap_long(p.last_enqueued_sequence_number),
        last_enqueued_offset: p.last_enqueued_offset,
        last_enqueued_time_utc: p.last_enqueued_time_utc,
        is_partition_empty: p.is_partition_empty,
      });
      return;
    }
    this.reply(
      connection,
      request,
      '$management',
      400,
      `unsupported type ${String(props['type'])}`,
      undefined,
    );
  }

  /** Answers a request on the caller's reply link (`reply_to` names it), with `correlation_id = message_id`. */
  private reply(
    connection: Connection,
    request: Message,
    node: '$cbs' | '$management',
    status: number,
    description: string,
    body: unknown,
    condition?: string,
  ): void {
    const replyTo = request.reply_to;
    let target: Sender | undefined;
    connection.each_link((link: Sender | Receiver) => {
      if (target || !link.is_sender()) return;
      const source = (link as unknown as LinkInternals).remote.attach?.source?.address;
      if (link.name === replyTo || (source === node && target === undefined)) target = link as Sender;
    });
    if (!target) return;
    const properties: Record<string, unknown> = { 'status-code': status, 'status-description': description };
    if (condition) properties['error-condition'] = condition;
    const response: Message = {
      correlation_id: request.message_id,
      to: replyTo,
      application_properties: properties,
      body: body ?? null,
    } as Message;
    const queue = this.pendingReplies.get(target) ?? [];
    queue.push(response);
    this.pendingReplies.set(target, queue);
    this.flushReplies(target);
  }

  private flushReplies(sender: Sender): void {
    const queue = this.pendingReplies.get(sender);
    while (queue && queue.length > 0 && sender.sendable()) sender.send(queue.shift()!);
  }

  private resolveSenderAddress(
    address: string,
  ): Target | { error: { condition: string; description: string } } {
    const match = /^([^/]+)(?:\/Partitions\/([^/]+))?$/.exec(address);
    if (!match)
      return {
        error: {
          condition: 'amqp:not-found',
          description: `The messaging entity '${address}' could not be found.`,
        },
      };
    const [, hub, partition] = match as unknown as [string, string, string | undefined];
    if (!this.hubs.has(hub)) return { error: notFound(hub) };
    if (partition !== undefined && !this.partitionLog(hub, partition))
      return { error: outOfRange(hub, partition) };
    return { hub, partition };
  }

  private partitionLog(hub: string, partition: string): PartitionLog | undefined {
    if (!/^\d+$/.test(partition)) return undefined;
    return this.hubs.get(hub)?.partitions[Number(partition)];
  }

  /** A link needs a put-token whose audience covers its address (prefix match on the entity path). */
  private isAuthorized(connection: Connection, address: string): boolean {
    return (this.claims.get(connection) ?? []).some(
      (claim) => address === claim.path || address.startsWith(`${claim.path}/`),
    );
  }
}

/**
 * A client closing a subscription ends its session while dispositions and flows for it may still be on the
 * wire. rhea treats a frame for an ended channel as a protocol error and drops the whole connection; the
 * service just ignores such frames, and so does this server.
 */
function tolerateLateFrames(connection: Connection): void {
  const c = connection as unknown as Record<string, unknown> & {
    remote_channel_map: Record<number, unknown>;
  };
  for (const name of ['on_disposition', 'on_flow', 'on_transfer', 'on_detach']) {
    const original = c[name] as (frame: { channel: number }) => void;
    c[name] = function (this: typeof c, frame: { channel: number }) {
      if (!this.remote_channel_map[frame.channel]) return;
      original.call(this, frame);
    };
  }
}

function notFound(hub: string): { condition: string; description: string } {
  return {
    condition: 'amqp:not-found',
    description: `The messaging entity 'sb://127.0.0.1/${hub}' could not be found. To know more visit https://aka.ms/sbResourceMgrExceptions.`,
  };
}

function outOfRange(hub: string, partition: string): { condition: string; description: string } {
  return {
    condition: 'com.microsoft:argument-out-of-range',
    description: `The specified partition '${partition}' is invalid for an EventHub partition sender or receiver of '${hub}'.`,
  };
}

/** `sb://host:port/orders/Partitions/1` → `orders/Partitions/1`. */
function entityPath(audience: string): string {
  return audience
    .replace(/^[a-z]+:\/\/[^/]+\/?/i, '')
    .replace(/\/\$management$/, '')
    .replace(/\/$/, '');
}

function readFilter(filter: Record<string, unknown> | undefined): EventPositionFilter | { error: string } {
  const raw = filter?.[SELECTOR_FILTER];
  if (raw === undefined) return { kind: 'offset', value: -1, inclusive: false };
  // rhea hands a described value over as { descriptor, value } or, once unwrapped, as the plain string.
  const text = typeof raw === 'string' ? raw : (raw as { value?: unknown }).value;
  if (typeof text !== 'string') return { error: 'the selector filter must be a string' };
  return parseSelectorFilter(text);
}

function dataSections(envelope: Message): Buffer[] {
  const body = envelope.body as { typecode?: number; content?: Buffer | Buffer[]; multiple?: boolean };
  if (body?.typecode !== 0x75 || body.content === undefined) return [];
  return Array.isArray(body.content) ? body.content : [body.content];
}

function toDelivery(event: StoredEvent): Message {
  const message = rhea.message.decode(event.encoded) as unknown as Message;
  message.message_annotations = {
    ...(message.message_annotations ?? {}),
    'x-opt-sequence-number': rhea.types.wrap_long(event.sequenceNumber),
    'x-opt-offset': String(event.offset),
    'x-opt-enqueued-time': new Date(event.enqueuedTimeMs),
    ...(event.partitionKey !== undefined ? { 'x-opt-partition-key': event.partitionKey } : {}),
  };
  return message;
}

function decodeBody(encoded: Buffer): string {
  const body = rhea.message.decode(encoded).body as { content?: Buffer } | string | undefined;
  if (typeof body === 'string') return body;
  return body?.content ? body.content.toString('utf8') : '';
}
