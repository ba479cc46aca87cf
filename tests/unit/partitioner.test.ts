import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey } from '../../src/backends/partitioner.js';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('Kafka default partitioner', () => {
  it('matches the murmur2 values from Kafka UtilsTest', () => {
    // Given the reference vectors of org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ];
    // Then our hash agrees bit for bit
    for (const [input, expected] of cases) expect(murmur2(bytes(input)), input).toBe(expected);
  });

  it('maps a key to a stable partition in range', () => {
    const p = partitionForKey('Jhamsikhel', 6);
    expect(p).toBeGreaterThanOrEqual(0);
    expect(p).toBeLessThan(6);
    expect(partitionForKey('Jhamsikhel', 6)).toBe(p);
    expect(p).toBe((murmur2(bytes('Jhamsikhel')) & 0x7fffffff) % 6);
  });
});
