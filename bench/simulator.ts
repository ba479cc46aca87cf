/**
 * `npm run bench:simulator`: orders per second generated and serialised by the load generator on one core,
 * through the real producer loop (batching, ledger, backpressure) into the null sink and into the file sink.
 * Target: ≥ 300,000 orders/s to the null sink.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSink } from '../src/backends/file/file-sink.js';
import { NullSink } from '../src/backends/null/null-sink.js';
import type { Sink } from '../src/backends/types.js';
import { simulatorConfigSchema } from '../src/config/simulator-config.js';
import { loadDefaultCatalog } from '../src/domain/catalog.js';
import { OrderStream, Simulation, simulationSettings } from '../src/simulator/index.js';

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 1_000_000);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const TARGET = 300_000;

const config = simulatorConfigSchema.parse({ seed: 7, orders: ORDERS, speed: 'max' });
const settings = simulationSettings(config, loadDefaultCatalog(), 'default');

async function runInto(makeSink: () => Sink): Promise<{ perSecond: number; ms: number }> {
  let best = { perSecond: 0, ms: 0 };
  for (let round = 0; round < ROUNDS; round++) {
    const simulation = new Simulation({ stream: settings.stream, sink: makeSink(), speed: 'max' });
    const started = performance.now();
    const result = await simulation.run();
    const ms = performance.now() - started;
    if (result.status !== 'finished') throw new Error(`run ${result.status}: ${String(result.error)}`);
    const perSecond = (result.ledger.messages.sent * 1000) / ms;
    if (perSecond > best.perSecond) best = { perSecond, ms };
  }
  return best;
}

function streamOnly(): { perSecond: number; bytes: number } {
  const stream = new OrderStream(settings.stream);
  let bytes = 0;
  let n = 0;
  const started = performance.now();
  while (stream.next()) {
    const v = stream.current.value;
    bytes += typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength;
    n++;
  }
  return { perSecond: (n * 1000) / (performance.now() - started), bytes };
}

const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

const raw = streamOnly();
console.log(
  `orders per run: ${fmt(ORDERS)} (seed 7, default catalog, 65 branches, no faults), best of ${ROUNDS}`,
);
console.log(
  `generate + serialise only:   ${fmt(raw.perSecond)} orders/s (avg ${Math.round(raw.bytes / ORDERS)} bytes/order)`,
);
const nul = await runInto(() => new NullSink());
console.log(
  `producer → null sink:        ${fmt(nul.perSecond)} orders/s (${(nul.ms / 1000).toFixed(2)} s) — target ${fmt(TARGET)}: ${nul.perSecond >= TARGET ? 'met' : 'NOT met'}`,
);
const dir = mkdtempSync(join(tmpdir(), 'brewline-bench-'));
try {
  const path = join(dir, 'orders.ndjson');
  const file = await runInto(() => new FileSink({ path }));
  const mb = statSync(path).size / 1_048_576;
  console.log(
    `producer → file sink:        ${fmt(file.perSecond)} orders/s (${(file.ms / 1000).toFixed(2)} s, ${mb.toFixed(0)} MiB, ${((mb * 1000) / file.ms).toFixed(0)} MiB/s)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
