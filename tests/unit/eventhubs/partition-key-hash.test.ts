import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { partitionForKey } from '../../fakes/eventhubs/partition-key-hash.js';

/** The test server must place keyed events where the service would: the SDK ships the same mapping. */
describe('test server partition-key hash', () => {
  it('agrees with the SDK’s own mapPartitionKeyToId for keys of every tail length', async () => {
    const require = createRequire(import.meta.url);
    const sdkIndex = require.resolve('@azure/event-hubs');
    const mapperPath = sdkIndex.replace(
      /dist[/\\](commonjs|esm)[/\\]index\.js$/,
      'dist/esm/impl/partitionKeyToIdMapper.js',
    );
    const sdk = (await import(pathToFileURL(mapperPath).href)) as {
      mapPartitionKeyToId(key: string, count: number): number;
    };
    const keys = ['', 'a', 'Thamel', 'नमस्ते', 'Durbar Marg Branch'];
    for (let n = 1; n <= 40; n++) keys.push('k'.repeat(n) + n);
    for (const key of keys) {
      for (const count of [1, 2, 4, 7, 32]) {
        expect(partitionForKey(key, count), `${key} / ${count}`).toBe(sdk.mapPartitionKeyToId(key, count));
      }
    }
  });
});
