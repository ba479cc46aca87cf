/**
 * `npm run bench:kafka`: the simulator producing into a real local Kafka broker (orders/s, per-send ack
 * latency p50/p99), measured in the same run as Kafka's own `kafka-producer-perf-test`
 * (org.apache.kafka.tools.ProducerPerformance from the same Maven artifacts) with the same record count,
 * record size (the simulator's average order) and acks=all (both idempotent, Java's default). Each Node
 * client behind the sink is measured; the goal is ≥ 50% of the Java tool's throughput.
 *
 * BENCH_ORDERS (default 300,000), BENCH_PARTITIONS (default 6), KAFKA_BROKERS to use a running broker.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KafkaSink, KafkaTopicAdmin } from '../src/backends/kafka/index.js';
import {
  kafkaProducerClients,
  kafkaSinkSchema,
  resolveKafkaConnection,
  type KafkaProducerClient,
} from '../src/config/kafka-config.js';
import { simulatorConfigSchema } from '../src/config/simulator-config.js';
import { loadDefaultCatalog } from '../src/domain/catalog.js';
import { OrderStream, Simulation, simulationSettings } from '../src/simulator/index.js';

interface BrokerModule {
  startKafkaBroker(options?: { heapMb?: number }): Promise<{ bootstrap: string; pid: number; dir: string }>;
  stopKafkaBroker(broker: { bootstrap: string; pid: number; dir: string }): Promise<void>;
  libsDir: string;
}

const ORDERS = Number(process.env['BENCH_ORDERS'] ?? 300_000);
const PARTITIONS = Number(process.env['BENCH_PARTITIONS'] ?? 6);
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US');

/** scripts/kafka/broker.mjs, from bench/ (tsx) or dist/bench/ (compiled). */
async function brokerModule(): Promise<BrokerModule> {
  for (const rel of ['../scripts/kafka/broker.mjs', '../../scripts/kafka/broker.mjs']) {
    const url = new URL(rel, import.meta.url);
    if (existsSync(fileURLToPath(url))) return (await import(url.href)) as BrokerModule;
  }
  throw new Error('scripts/kafka/broker.mjs not found');
}

const config = simulatorConfigSchema.parse({ seed: 7, orders: ORDERS, speed: 'max' });
const settings = simulationSettings(config, loadDefaultCatalog(), 'default');

function averageRecordBytes(): number {
  const stream = new OrderStream(settings.stream);
  let bytes = 0;
  let n = 0;
  while (stream.next()) {
    const v = stream.current.value;
    bytes += typeof v === 'string' ? Buffer.byteLength(v) : v.byteLength;
    n++;
  }
  return Math.round(bytes / Math.max(1, n));
}

interface Figures {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly detail: string;
}

async function runSimulator(bootstrap: string, client: KafkaProducerClient): Promise<Figures> {
  const topic = `bench-${client}-${Date.now()}`;
  const sink = new KafkaSink(
    kafkaSinkSchema.parse({ kind: 'kafka', brokers: bootstrap, topic, partitions: PARTITIONS, client }),
    {},
  );
  await sink.open();
  const simulation = new Simulation({ stream: settings.stream, sink, speed: 'max' });
  const started = performance.now();
  const result = await simulation.run();
  const ms = performance.now() - started;
  await sink.close();
  if (result.status !== 'finished') throw new Error(`run ${result.status}: ${String(result.error)}`);
  const s = result.snapshot;
  return {
    perSecond: (result.ledger.messages.sent * 1000) / ms,
    p50: s.ackLatencyMs.p50,
    p99: s.ackLatencyMs.p99,
    detail: `${fmt(result.ledger.messages.sent)} sent in ${(ms / 1000).toFixed(2)} s, errors ${s.errors}`,
  };
}

function runJava(libsDir: string, bootstrap: string, topic: string, recordSize: number): Figures {
  const result = spawnSync(
    'java',
    [
      '-Xmx512m',
      '-Dlog4j2.level=WARN',
      '-cp',
      `${libsDir}/*`,
      'org.apache.kafka.tools.ProducerPerformance',
      '--topic',
      topic,
      '--num-records',
      String(ORDERS),
      '--record-size',
      String(recordSize),
      '--throughput',
      '-1',
      '--producer-props',
      `bootstrap.servers=${bootstrap}`,
      'acks=all',
      'enable.idempotence=true',
    ],
    { encoding: 'utf8', timeout: 600_000 },
  );
  const line = result.stdout.split('\n').find((l) => /records sent, .* records\/sec/.test(l));
  const m = line?.match(
    /(\d+) records sent, ([\d.]+) records\/sec .*?([\d.]+) ms avg latency.*?(\d+) ms 50th, (\d+) ms 95th, (\d+) ms 99th/,
  );
  if (!m) throw new Error(`ProducerPerformance printed no summary:\n${result.stdout}\n${result.stderr}`);
  return { perSecond: Number(m[2]), p50: Number(m[4]), p99: Number(m[6]), detail: line!.trim() };
}

const brokers = await brokerModule();
const external = process.env['KAFKA_BROKERS'];
const broker = external ? undefined : await brokers.startKafkaBroker({ heapMb: 512 });
const bootstrap = external ?? broker!.bootstrap;
try {
  const recordSize = averageRecordBytes();
  console.log(
    `Kafka 4 broker ${bootstrap}; ${fmt(ORDERS)} records of ${recordSize} bytes (the simulator's average order), ` +
      `${PARTITIONS} partitions, acks=all, idempotent producers`,
  );
  const javaTopic = `bench-java-${Date.now()}`;
  const admin = new KafkaTopicAdmin(
    resolveKafkaConnection(
      kafkaSinkSchema.parse({ kind: 'kafka', brokers: bootstrap, topic: javaTopic }),
      {},
    ),
  );
  await admin.ensureTopic(PARTITIONS);
  await admin.close();
  const java = runJava(brokers.libsDir, bootstrap, javaTopic, recordSize);
  console.log(
    `kafka-producer-perf-test (Java):  ${fmt(java.perSecond)} records/s, latency p50 ${java.p50} ms p99 ${java.p99} ms`,
  );
  console.log(`  ${java.detail}`);
  let best: { client: KafkaProducerClient; figures: Figures } | undefined;
  for (const client of kafkaProducerClients) {
    const f = await runSimulator(bootstrap, client);
    const ratio = f.perSecond / java.perSecond;
    console.log(
      `simulator → Kafka (${client.padEnd(12)}): ${fmt(f.perSecond)} orders/s, ack p50 ${f.p50.toFixed(1)} ms p99 ${f.p99.toFixed(1)} ms — ${(ratio * 100).toFixed(0)}% of Java (goal ≥ 50%: ${ratio >= 0.5 ? 'met' : 'NOT met'})`,
    );
    console.log(`  ${f.detail}`);
    if (!best || f.perSecond > best.figures.perSecond) best = { client, figures: f };
  }
  console.log(
    `best client: ${best!.client} (${((best!.figures.perSecond / java.perSecond) * 100).toFixed(0)}% of Java); the sink's default client is ${kafkaSinkSchema.parse({ kind: 'kafka' }).client}`,
  );
} finally {
  if (broker) await brokers.stopKafkaBroker(broker);
}
