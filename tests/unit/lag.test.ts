import { describe, expect, it } from 'vitest';
import { readLag, lagRows } from '../../src/backends/lag.js';
import type { LagProbe } from '../../src/backends/types.js';

describe('lag per partition', () => {
  it('is log end minus processed per partition, and the age of the next unprocessed record', () => {
    const rows = lagRows(
      [
        { partition: 0, earliest: 0, latest: 100 },
        { partition: 1, earliest: 0, latest: 50 },
        { partition: 2, earliest: 40, latest: 60 },
      ],
      { '0': 90, '1': 50 },
      new Map([
        [0, 10_000],
        [2, 55_000],
      ]),
      70_000,
    );
    expect(rows).toEqual([
      { partition: 0, currentOffset: 90, logEndOffset: 100, lag: 10, lagSeconds: 60 },
      { partition: 1, currentOffset: 50, logEndOffset: 50, lag: 0, lagSeconds: 0 },
      // Nothing committed: counted from the earliest offset still available, like kafka-consumer-groups.
      { partition: 2, currentOffset: undefined, logEndOffset: 60, lag: 20, lagSeconds: 15 },
    ]);
  });

  it('reads a consumer group through the probe when asked for one', async () => {
    const asked: string[] = [];
    const probe: LagProbe = {
      kind: 'test',
      description: 'test',
      positions: async () => [{ partition: 0, earliest: 0, latest: 8 }],
      timestampAt: async (_p, offset) => 1000 * offset,
      groupOffsets: async (group) => {
        asked.push(group);
        return { '0': 5 };
      },
      close: async () => {},
    };
    const rows = await readLag(probe, { group: 'pipeline' }, 8000);
    expect(asked).toEqual(['pipeline']);
    expect(rows).toEqual([{ partition: 0, currentOffset: 5, logEndOffset: 8, lag: 3, lagSeconds: 3 }]);
  });
});
