import { describe, expect, it } from 'vitest';
import { ThroughputLimiter } from '../../../src/backends/eventhubs/index.js';
import { VirtualClock } from '../../../src/domain/clock.js';

describe('ThroughputLimiter (token buckets per throughput unit)', () => {
  it('lets one second of quota through at once, then paces at 1,000 events/s per unit', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ThroughputLimiter(1, clock);
    await limiter.take(1_000, 1_000);
    let done = false;
    const next = limiter.take(500, 500).then(() => (done = true));
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await next;
    expect(done).toBe(true);
  });

  it('binds on bytes when events are large (1 MB/s per unit)', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ThroughputLimiter(2, clock);
    await limiter.take(10, 2 * 1_048_576);
    let done = false;
    const next = limiter.take(10, 1_048_576).then(() => (done = true));
    await clock.advance(490);
    expect(done).toBe(false);
    await clock.advance(10);
    await next;
    expect(done).toBe(true);
  });

  it('serves waiting callers first come, first served', async () => {
    const clock = new VirtualClock(0);
    const limiter = new ThroughputLimiter(1, clock);
    await limiter.take(1_000, 0);
    const order: string[] = [];
    const a = limiter.take(300, 0).then(() => order.push('a'));
    const b = limiter.take(100, 0).then(() => order.push('b'));
    await clock.advance(1_000);
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
  });
});
