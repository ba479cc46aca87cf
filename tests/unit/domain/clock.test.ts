import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/domain/clock.js';

describe('VirtualClock', () => {
  it('wakes sleepers in time order and only when time reaches them', async () => {
    const clock = new VirtualClock(1000);
    const woke: string[] = [];
    void clock.sleep(200).then(() => woke.push(`b@${clock.now()}`));
    void clock.sleep(100).then(() => woke.push(`a@${clock.now()}`));
    await clock.advance(150);
    expect(woke).toEqual(['a@1100']);
    await clock.advance(100);
    expect(woke).toEqual(['a@1100', 'b@1200']);
    expect(clock.now()).toBe(1250);
  });

  it('runs a loop that sleeps repeatedly within one advance', async () => {
    const clock = new VirtualClock(0);
    let ticks = 0;
    const loop = (async () => {
      while (ticks < 5) {
        await clock.sleep(10);
        ticks++;
      }
    })();
    await clock.advance(100);
    await loop;
    expect(ticks).toBe(5);
  });

  it('rejects an aborted sleep', async () => {
    const clock = new VirtualClock(0);
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pending).toBe(0);
  });
});
