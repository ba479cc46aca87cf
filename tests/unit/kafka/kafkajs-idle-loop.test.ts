import { createRequire } from 'node:module';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  idleQueue,
  idleQueueStaysQuiet,
  loadKafkajs,
  repairIdleTimerLoop,
  requestQueueClass,
  type RequestQueueLike,
} from '../../../src/backends/kafka/kafkajs.js';

const require = createRequire(import.meta.url);
const QUEUE_MODULE = require.resolve('kafkajs/src/network/requestQueue/index.js');

/** A copy of kafkajs' RequestQueue as installed, untouched by the repair loadKafkajs applies. */
function pristineClass(): ReturnType<typeof requestQueueClass> {
  const cached = require.cache[QUEUE_MODULE];
  delete require.cache[QUEUE_MODULE];
  try {
    return require(QUEUE_MODULE) as ReturnType<typeof requestQueueClass>;
  } finally {
    if (cached) require.cache[QUEUE_MODULE] = cached;
  }
}

/** How often an idle queue checks its (empty) pending list in one second of fake time. */
function checksPerSecond(queue: RequestQueueLike & { checkPendingRequests(): void }): number {
  let checks = 0;
  const check = queue.checkPendingRequests.bind(queue);
  queue.checkPendingRequests = () => {
    checks++;
    check();
  };
  queue.checkPendingRequests(); // as fulfillRequest does after every response
  vi.advanceTimersByTime(1000);
  return checks;
}

afterEach(() => vi.useRealTimers());

describe('kafkajs idle timer loop (kafkajs#1704, Node 24 TimeoutNegativeWarning #1751)', () => {
  it('repairs the installed release only if an idle queue sets a timer, and then it sets none', () => {
    const RequestQueue = pristineClass();
    const broken = !idleQueueStaysQuiet(RequestQueue);
    expect(repairIdleTimerLoop(RequestQueue)).toBe(broken);
    expect(idleQueueStaysQuiet(RequestQueue)).toBe(true);
    expect(repairIdleTimerLoop(RequestQueue)).toBe(false);
  });

  it('an idle connection checks once, not ~1000 times a second; a throttle or a waiting request still get a timer', async () => {
    await loadKafkajs();
    vi.useFakeTimers();
    const RequestQueue = requestQueueClass();
    const pristine = pristineClass();
    const before = checksPerSecond(
      idleQueue(pristine) as RequestQueueLike & { checkPendingRequests(): void },
    );
    const after = checksPerSecond(
      idleQueue(RequestQueue) as RequestQueueLike & { checkPendingRequests(): void },
    );
    expect(after).toBe(1);
    // (what the installed release does without the repair: a 1 ms loop, or a fixed release's single check)
    expect(before === 1 || before > 500).toBe(true);

    // Throttled by the broker, nothing pending: the timer waits for the throttle's end
    const throttled = idleQueue(RequestQueue);
    throttled.throttledUntil = Date.now() + 250;
    throttled.scheduleCheckPendingRequests();
    expect(throttled.throttleCheckTimeoutId).not.toBeNull();
    // A request waiting for a free in-flight slot, not throttled: checked again soon
    const waiting = idleQueue(RequestQueue);
    waiting.pending.push({});
    waiting.scheduleCheckPendingRequests();
    expect(waiting.throttleCheckTimeoutId).not.toBeNull();
    clearTimeout(throttled.throttleCheckTimeoutId!);
    clearTimeout(waiting.throttleCheckTimeoutId!);
  });
});
