import { createRequire } from 'node:module';

/**
 * Loads kafkajs (admin client and one producer driver), repairing its idle timer loop first.
 *
 * kafkajs 2.2.4's `RequestQueue.scheduleCheckPendingRequests` sets a timer of `throttledUntil − now` even
 * when nothing is pending. Unthrottled, `throttledUntil` is −1, so the delay is about −1.8e12 ms, which Node
 * runs after 1 ms. The timer calls `checkPendingRequests`, which schedules the next one. So every connection,
 * from its first response on, wakes the process about 900 times a second while idle (kafkajs#1704, #1556).
 * Node 24 also prints a `TimeoutNegativeWarning` for it on stderr (kafkajs#1751).
 *
 * The repair skips the timer when nothing is pending and no throttle is running. There is then nothing to
 * check, and `push()` schedules a check itself when a request has to wait. A throttle, or a pending request,
 * still gets its timer as before (kafkajs#1532's marginal-throttle case included).
 *
 * Like the @platformatic/kafka repair, it is behavioural: a probe queue shows whether an idle queue sets a
 * timer, and the method is replaced only if it does, so a fixed release disables it by itself.
 */
const importKafkajs = () => import('kafkajs');
let loaded: ReturnType<typeof importKafkajs> | undefined;

export function loadKafkajs(): ReturnType<typeof importKafkajs> {
  loaded ??= importKafkajs().then((lib) => {
    repairIdleTimerLoop(requestQueueClass());
    return lib;
  });
  return loaded;
}

/** The part of kafkajs' internal RequestQueue that the repair touches. */
export interface RequestQueueLike {
  pending: unknown[];
  throttledUntil: number;
  throttleCheckTimeoutId: ReturnType<typeof setTimeout> | null;
  scheduleCheckPendingRequests(): void;
}

type RequestQueueClass = new (options: Record<string, unknown>) => RequestQueueLike;

export function requestQueueClass(): RequestQueueClass {
  const require = createRequire(import.meta.url);
  return require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;
}

const silent = {
  namespace: () => silent,
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** A queue as a connection makes one; nothing pending, no throttle. */
export function idleQueue(RequestQueue: RequestQueueClass): RequestQueueLike {
  return new RequestQueue({
    instrumentationEmitter: null,
    maxInFlightRequests: null,
    requestTimeout: 30_000,
    enforceRequestTimeout: false,
    clientId: 'brewline-probe',
    broker: 'probe:0',
    logger: silent,
    isConnected: () => true,
  });
}

/**
 * True when an idle queue schedules no timer (the behaviour a fixed kafkajs has). The probe records the
 * timer instead of setting it (a negative one would itself print Node 24's warning).
 */
export function idleQueueStaysQuiet(RequestQueue: RequestQueueClass): boolean {
  const queue = idleQueue(RequestQueue);
  const real = globalThis.setTimeout;
  let timers = 0;
  globalThis.setTimeout = ((): ReturnType<typeof setTimeout> => {
    timers++;
    return real(() => undefined, 0);
  }) as unknown as typeof setTimeout;
  try {
    queue.scheduleCheckPendingRequests();
  } finally {
    globalThis.setTimeout = real;
  }
  if (queue.throttleCheckTimeoutId !== null) clearTimeout(queue.throttleCheckTimeoutId);
  queue.throttleCheckTimeoutId = null;
  return timers === 0;
}

export function repairIdleTimerLoop(RequestQueue: RequestQueueClass): boolean {
  if (idleQueueStaysQuiet(RequestQueue)) return false;
  const proto = RequestQueue.prototype as RequestQueueLike;
  const original = proto.scheduleCheckPendingRequests;
  proto.scheduleCheckPendingRequests = function scheduleCheckPendingRequests(this: RequestQueueLike): void {
    if (this.pending.length === 0 && !(this.throttledUntil > Date.now())) return;
    original.call(this);
  };
  return true;
}
