import type { LagProbe } from '../backends/types.js';
import type { GoldSnapshot, StatusFeed, StreamReading } from './feed-types.js';
import { readPartitions } from './local-feed.js';

/**
 * A feed whose lag the monitor measures itself (`monitor --url … --source kafka|eventhubs`): progress and
 * gold come from the pipeline's status endpoint, but the latest offsets are read by this process straight
 * from the broker, so the numbers on screen do not depend on the pipeline process being healthy or honest.
 * It only reads: the source is never committed to.
 */
export class SourceCheckedFeed implements StatusFeed {
  readonly description: string;

  constructor(
    private readonly inner: StatusFeed,
    private readonly probe: LagProbe,
  ) {
    this.description = `${inner.description}, lag from ${probe.description}`;
  }

  async readStream(): Promise<StreamReading> {
    const reading = await this.inner.readStream();
    const committed =
      reading.engine?.committedOffsets ??
      Object.fromEntries(reading.partitions.map((p) => [String(p.partition), p.committed]));
    return {
      ...reading,
      source: this.probe.description,
      partitions: await readPartitions(this.probe, committed),
    };
  }

  readGold(branch: string | null): Promise<GoldSnapshot> {
    return this.inner.readGold(branch);
  }

  async close(): Promise<void> {
    await Promise.all([this.inner.close(), this.probe.close()]);
  }
}
