import { setImmediate as tick } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { PipelineEngine } from '../../../src/chain/pipeline-engine.js';
import { startChain } from '../../../src/chain/running-chain.js';
import type { EngineEvent } from '../../../src/pipeline/progress-types.js';
import type { Simulation } from '../../../src/simulator/index.js';

/** Records the order in which the chain starts things; the engine "starts" when `started()` is called. */
function fakes(log: string[]) {
  const listeners = new Set<(event: EngineEvent) => void>();
  let finish!: () => void;
  const running = new Promise<void>((resolve) => (finish = resolve));
  const engine = {
    kind: 'embedded',
    description: 'fake',
    open: async () => void log.push('engine open'),
    run: () => (log.push('engine run'), running),
    stop: () => finish(),
    reader: async () => {
      throw new Error('not used');
    },
    close: async () => undefined,
    subscribe: (l: (event: EngineEvent) => void) => (listeners.add(l), () => listeners.delete(l)),
    getSnapshot: () => ({ status: 'starting' }),
  } as unknown as PipelineEngine;
  const started = (): void => {
    log.push('engine started');
    for (const l of listeners)
      l({ type: 'started', queryName: 'q', queryId: 'id', runId: 'run', timestamp: '' } as EngineEvent);
  };
  const simulation = {
    run: async () => void log.push('load run'),
    getSnapshot: () => ({ status: 'running' }),
    subscribe: () => () => undefined,
  } as unknown as Simulation;
  return { engine, simulation, started };
}

describe('startChain', () => {
  it('starts the load only after an engine reading from `latest` has resolved it', async () => {
    const log: string[] = [];
    const { engine, simulation, started } = fakes(log);
    const chain = startChain({ engine, simulation, loadAfterEngineStarts: true });
    for (let i = 0; i < 5; i++) await tick();
    // Given the engine running but not started yet, no order has been sent
    expect(log).toEqual(['engine open', 'engine run']);
    // When it reports started, the load generator starts
    started();
    const running = await chain;
    expect(log).toEqual(['engine open', 'engine run', 'engine started', 'load run']);
    await running.stop();
  });

  it('otherwise starts the load first and the engine once the sink is open', async () => {
    const log: string[] = [];
    const { engine, simulation } = fakes(log);
    const running = await startChain({ engine, simulation, engineAfterSinkOpens: true });
    expect(log).toEqual(['engine open', 'load run', 'engine run']);
    await running.stop();
  });
});

describe('RunningChain.stop', () => {
  it('stops the engine even when the load generator ended with an error (the broker went away)', async () => {
    // Given a chain whose load generator failed
    const log: string[] = [];
    const { engine, simulation } = fakes(log);
    let stopped = false;
    const failing = {
      ...simulation,
      run: async () => {
        throw new Error('cannot reach Kafka');
      },
    } as unknown as Simulation;
    const watched = { ...engine, stop: () => ((stopped = true), engine.stop()) } as PipelineEngine;
    const running = await startChain({ engine: watched, simulation: failing });
    // When the chain is stopped, the error surfaces and the engine is stopped all the same
    await expect(running.stop()).rejects.toThrow('cannot reach Kafka');
    expect(stopped).toBe(true);
  });
});
