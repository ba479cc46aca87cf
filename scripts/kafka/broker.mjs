#!/usr/bin/env node
// A single-node Apache Kafka broker (KRaft) on loopback for tests, benchmarks and local runs.
//
//   node scripts/kafka/broker.mjs start   → fetches Kafka with Maven on first use (into .cache/kafka/libs),
//                                           formats a broker in a temp dir on free ports, waits until it
//                                           answers, prints `127.0.0.1:PORT` as its last line
//   node scripts/kafka/broker.mjs stop    → stops the broker `start` left running and removes its data
//   node scripts/kafka/broker.mjs status  → prints the running broker's address, or exits 1
//
// Plain JavaScript so it runs without a build; tests/helpers/kafka-broker.ts imports it (types in
// broker.d.mts). Only loopback, only free ports, every wait bounded.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
/** The repository root (scripts/kafka/..). */
export const repoRoot = resolve(here, '..', '..');
/** Where the Maven-fetched jars live; git-ignored. */
export const libsDir = process.env.BREWLINE_KAFKA_LIBS ?? join(repoRoot, '.cache', 'kafka', 'libs');
/** Where `start` records the broker it left running for `stop`; tests point it elsewhere. */
const stateFile = process.env.BREWLINE_KAFKA_STATE ?? join(repoRoot, '.cache', 'kafka', 'broker.json');
const HOST = '127.0.0.1';

function log(message) {
  process.stderr.write(`kafka: ${message}\n`);
}

/** True when the cache holds the broker jar (a finished copy: the marker is written last). */
export function kafkaJarsPresent() {
  return (
    existsSync(join(libsDir, '.complete')) &&
    readdirSync(libsDir).some((f) => /^kafka_2\.13-.*\.jar$/.test(f))
  );
}

/** Fetches the broker and tools jars with Maven into the cache, once. Synchronous: it runs before anything else. */
export function ensureKafkaJars({ quiet = false } = {}) {
  if (kafkaJarsPresent()) return libsDir;
  mkdirSync(libsDir, { recursive: true });
  // Test files start brokers in parallel workers: one fetches, the others wait for its marker.
  const lock = join(libsDir, '.fetching');
  const deadline = Date.now() + 20 * 60_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (kafkaJarsPresent()) return libsDir;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for another Kafka fetch (remove ${lock} if stale)`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
    }
  }
  try {
    if (kafkaJarsPresent()) return libsDir;
    fetchWithMaven(quiet);
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
  return libsDir;
}

function fetchWithMaven(quiet) {
  if (!quiet) log(`fetching Apache Kafka with Maven into ${libsDir} (first use only)…`);
  const result = spawnSync(
    'mvn',
    [
      '-q',
      '-B',
      '-f',
      join(here, 'pom.xml'),
      'dependency:copy-dependencies',
      `-DoutputDirectory=${libsDir}`,
      '-DincludeScope=runtime',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 15 * 60_000 },
  );
  if (result.error || result.status !== 0) {
    const detail = (result.stdout ?? '') + (result.stderr ?? '') + (result.error ? String(result.error) : '');
    throw new Error(`mvn could not fetch Kafka (exit ${result.status}): ${detail.trim().slice(-2000)}`);
  }
  writeFileSync(join(libsDir, '.complete'), new Date().toISOString());
}

/** A port the OS says is free right now on loopback. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Kafka's cluster ids are 16 random bytes in URL-safe base64 without padding. */
function clusterId() {
  return randomBytes(16).toString('base64url');
}

function serverProperties(dir, port, controllerPort, secure) {
  const listeners = [`PLAINTEXT://${HOST}:${port}`];
  const lines = [];
  if (secure) {
    // Extra listeners for security tests: SASL (PLAIN and SCRAM-SHA-256) in clear, and TLS with a
    // self-signed certificate for 127.0.0.1.
    listeners.push(`SASL_PLAINTEXT://${HOST}:${secure.saslPort}`, `SSL://${HOST}:${secure.tlsPort}`);
    const users = Object.entries(secure.users)
      .map(([user, password]) => `user_${user}="${password}"`)
      .join(' ');
    lines.push(
      'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256',
      `listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required ${users};`,
      'listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
      `ssl.keystore.location=${join(dir, 'broker.p12')}`,
      'ssl.keystore.type=PKCS12',
      `ssl.keystore.password=${secure.keystorePassword}`,
      `ssl.key.password=${secure.keystorePassword}`,
    );
  }
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `listeners=${listeners.join(',')},CONTROLLER://${HOST}:${controllerPort}`,
    `advertised.listeners=${listeners.join(',')}`,
    `controller.quorum.bootstrap.servers=${HOST}:${controllerPort}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL',
    ...lines,
    `log.dirs=${join(dir, 'data')}`,
    'num.partitions=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=4',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'share.coordinator.state.topic.replication.factor=1',
    'share.coordinator.state.topic.min.isr=1',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=false',
    // Small segments and fast retention checks, so tests can provoke retention gaps in seconds.
    'log.retention.check.interval.ms=1000',
    'log.segment.delete.delay.ms=0',
    // Small machine: few threads.
    'num.network.threads=2',
    'num.io.threads=2',
    'num.recovery.threads.per.data.dir=1',
    'background.threads=2',
    '',
  ].join('\n');
}

function log4jConfig(dir) {
  // Kafka's own log4j2 layout, to a file in the broker's folder; WARN keeps it small.
  return [
    'Configuration:',
    '  Appenders:',
    '    File:',
    '      name: File',
    `      fileName: ${join(dir, 'server.log')}`,
    '      PatternLayout:',
    '        pattern: "[%d] %p %m (%c)%n"',
    '  Loggers:',
    '    Root:',
    '      level: WARN',
    '      AppenderRef:',
    '        - ref: File',
    '    Logger:',
    '      - name: kafka.server.KafkaRaftServer',
    '        level: INFO',
    '',
  ].join('\n');
}

function javaArgs(dir, heapMb, mainClass, args) {
  return [
    `-Xmx${heapMb}m`,
    `-Xms${Math.min(heapMb, 128)}m`,
    '-XX:+UseG1GC',
    '-XX:MaxGCPauseMillis=20',
    '-Djava.awt.headless=true',
    `-Dlog4j2.configurationFile=${join(dir, 'log4j2.yaml')}`,
    '-cp',
    `${libsDir}/*`,
    mainClass,
    ...args,
  ];
}

/** A self-signed key pair for 127.0.0.1 (keytool ships with the JDK) and its certificate as PEM for clients. */
function selfSignedCertificate(dir, password) {
  const keystore = join(dir, 'broker.p12');
  const run = (args) => {
    const r = spawnSync('keytool', args, { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0)
      throw new Error(`keytool ${args[0]} failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
  };
  run([
    '-genkeypair',
    '-alias',
    'broker',
    '-keyalg',
    'RSA',
    '-keysize',
    '2048',
    '-validity',
    '7',
    '-dname',
    'CN=127.0.0.1',
    '-ext',
    'SAN=IP:127.0.0.1',
    '-keystore',
    keystore,
    '-storetype',
    'PKCS12',
    '-storepass',
    password,
    '-keypass',
    password,
  ]);
  run([
    '-exportcert',
    '-rfc',
    '-alias',
    'broker',
    '-keystore',
    keystore,
    '-storepass',
    password,
    '-file',
    join(dir, 'broker-cert.pem'),
  ]);
}

function tcpReachable(port, timeoutMs = 500) {
  return new Promise((resolveReachable) => {
    const socket = connect({ host: HOST, port });
    const done = (ok) => {
      socket.destroy();
      resolveReachable(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * kafkajs with brewline's repair of its idle 1 ms timer loop (src/backends/kafka/kafkajs.ts) when the build
 * is there (a checkout after `npm run build`, the npm package), else kafkajs as shipped.
 */
async function loadKafkajs() {
  const built = join(repoRoot, 'dist', 'src', 'backends', 'kafka', 'kafkajs.js');
  if (existsSync(built)) return (await import(pathToFileURL(built).href)).loadKafkajs();
  return import('kafkajs');
}

/**
 * Waits until the broker serves metadata (not just an open port: the port opens before the broker has
 * caught up with its controller). Uses kafkajs' admin client, bounded by `timeoutMs`.
 */
async function waitReady(broker, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  const { Kafka, logLevel } = (await loadKafkajs()).default;
  while (Date.now() < deadline) {
    if (!isAlive(broker.pid)) {
      throw new Error(
        `the broker exited during start-up; see ${join(broker.dir, 'server.log')} and ${join(broker.dir, 'stdout.log')}`,
      );
    }
    if (await tcpReachable(broker.port)) {
      const admin = new Kafka({
        clientId: 'brewline-broker-check',
        brokers: [broker.bootstrap],
        logLevel: logLevel.NOTHING,
        retry: { retries: 0 },
        connectionTimeout: 1000,
        requestTimeout: 2000,
      }).admin();
      try {
        await admin.connect();
        const cluster = await admin.describeCluster();
        if (cluster.brokers.length > 0 && cluster.controller !== null) {
          await admin.disconnect();
          return;
        }
      } catch {
        // not ready yet
      }
      await admin.disconnect().catch(() => {});
    }
    await sleep(250);
  }
  throw new Error(
    `the broker did not become ready within ${timeoutMs} ms; see ${join(broker.dir, 'server.log')}`,
  );
}

/**
 * Starts a broker. With `dir` of a broker stopped with `keepData`, restarts it on the same ports with its
 * data (for restart-mid-run tests). Resolves when it serves metadata.
 */
export async function startKafkaBroker(options = {}) {
  ensureKafkaJars({ quiet: options.quiet });
  const heapMb = options.heapMb ?? 512;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'brewline-kafka-'));
  let port = options.port;
  let controllerPort = options.controllerPort;
  const metaFile = join(dir, 'broker-ports.json');
  if (existsSync(metaFile) && (port === undefined || controllerPort === undefined)) {
    const saved = JSON.parse(readFileSync(metaFile, 'utf8'));
    port ??= saved.port;
    controllerPort ??= saved.controllerPort;
  }
  port ??= await freePort();
  controllerPort ??= await freePort();
  if (controllerPort === port) controllerPort = await freePort();
  let secure;
  if (options.security) {
    const saved = existsSync(metaFile) ? JSON.parse(readFileSync(metaFile, 'utf8')) : {};
    secure = {
      saslPort: saved.saslPort ?? (await freePort()),
      tlsPort: saved.tlsPort ?? (await freePort()),
      users: options.security.users,
      keystorePassword: 'brewline-test-keystore',
    };
    if (!existsSync(join(dir, 'broker.p12'))) selfSignedCertificate(dir, secure.keystorePassword);
  }
  writeFileSync(
    metaFile,
    JSON.stringify({
      port,
      controllerPort,
      ...(secure ? { saslPort: secure.saslPort, tlsPort: secure.tlsPort } : {}),
    }),
  );
  const properties = join(dir, 'server.properties');
  writeFileSync(properties, serverProperties(dir, port, controllerPort, secure));
  writeFileSync(join(dir, 'log4j2.yaml'), log4jConfig(dir));

  if (!existsSync(join(dir, 'data', 'meta.properties'))) {
    // One retry: a JVM can fail to start on a machine under load; the second error is reported.
    let format;
    for (let attempt = 0; attempt < 2; attempt++) {
      format = spawnSync(
        'java',
        javaArgs(dir, 256, 'kafka.tools.StorageTool', [
          'format',
          '-t',
          clusterId(),
          '-c',
          properties,
          '--standalone',
          // SCRAM credentials live in the cluster metadata: they are added when the storage is formatted.
          ...Object.entries(secure?.users ?? {}).flatMap(([name, password]) => [
            '--add-scram',
            `SCRAM-SHA-256=[name=${name},password=${password}]`,
          ]),
        ]),
        { encoding: 'utf8', timeout: 120_000 },
      );
      if (format.status === 0) break;
      rmSync(join(dir, 'data'), { recursive: true, force: true });
    }
    if (format.status !== 0) {
      if (options.dir === undefined) rmSync(dir, { recursive: true, force: true });
      throw new Error(
        `formatting the KRaft storage failed (exit ${format.status}): ${(format.stderr || format.stdout || String(format.error)).trim().slice(-1500)}`,
      );
    }
  }

  const out = openSync(join(dir, 'stdout.log'), 'a');
  const java = ['java', ...javaArgs(dir, heapMb, 'kafka.Kafka', [properties])];
  // `ignoreTerminalSignals` (the demo's own broker): Ctrl+C in a terminal sends SIGINT to the whole
  // foreground process group, and closing it SIGHUP; the broker must outlive both until its owner has
  // drained and stopped the pipeline, then stops it with SIGTERM. Ignored signals stay ignored across exec,
  // and the JVM installs no shutdown handler for a signal it starts with ignored.
  const [command, ...args] = options.ignoreTerminalSignals
    ? ['sh', '-c', 'trap "" INT HUP; exec "$@"', 'sh', ...java]
    : java;
  const child = spawn(command, args, {
    detached: options.detached ?? false,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (options.detached) child.unref();
  const broker = {
    bootstrap: `${HOST}:${port}`,
    port,
    controllerPort,
    pid: child.pid,
    dir,
    ...(secure
      ? {
          saslBootstrap: `${HOST}:${secure.saslPort}`,
          tlsBootstrap: `${HOST}:${secure.tlsPort}`,
          caFile: join(dir, 'broker-cert.pem'),
        }
      : {}),
  };
  try {
    await waitReady(broker, timeoutMs);
  } catch (error) {
    // Keep a caller's folder (and the logs the error points at); a fresh temp folder is kept for its logs too.
    await stopKafkaBroker(broker, { keepData: true });
    throw error;
  }
  return broker;
}

/**
 * Stops a broker: SIGTERM (a clean, controlled shutdown), SIGKILL if it has not exited after `timeoutMs`.
 * Removes its folder unless `keepData` (then `startKafkaBroker({ dir })` brings it back).
 */
export async function stopKafkaBroker(broker, options = {}) {
  const timeoutMs = options.timeoutMs ?? 30_000;
  if (broker.pid && isAlive(broker.pid)) {
    try {
      process.kill(broker.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const deadline = Date.now() + timeoutMs;
    while (isAlive(broker.pid) && Date.now() < deadline) await sleep(100);
    if (isAlive(broker.pid)) {
      try {
        process.kill(broker.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      while (isAlive(broker.pid)) await sleep(50);
    }
  }
  if (!options.keepData) rmSync(broker.dir, { recursive: true, force: true });
}

function readState() {
  if (!existsSync(stateFile)) return undefined;
  try {
    return JSON.parse(readFileSync(stateFile, 'utf8'));
  } catch {
    return undefined;
  }
}

async function main(command) {
  switch (command) {
    case 'start': {
      const running = readState();
      if (running && isAlive(running.pid)) {
        log(`already running (pid ${running.pid}); \`npm run kafka:stop\` stops it`);
        process.stdout.write(`${running.bootstrap}\n`);
        return 0;
      }
      const broker = await startKafkaBroker({ detached: true });
      mkdirSync(dirname(stateFile), { recursive: true });
      writeFileSync(stateFile, JSON.stringify(broker, null, 2));
      log(`broker pid ${broker.pid}, data in ${broker.dir}`);
      process.stdout.write(`${broker.bootstrap}\n`);
      return 0;
    }
    case 'stop': {
      const running = readState();
      if (!running) {
        log('no broker started by `kafka:start` is recorded');
        return 0;
      }
      await stopKafkaBroker(running);
      rmSync(stateFile, { force: true });
      log(`stopped (pid ${running.pid})`);
      return 0;
    }
    case 'status': {
      const running = readState();
      if (running && isAlive(running.pid)) {
        process.stdout.write(`${running.bootstrap}\n`);
        return 0;
      }
      log('not running');
      return 1;
    }
    case 'fetch': {
      ensureKafkaJars();
      process.stdout.write(`${libsDir}\n`);
      return 0;
    }
    default:
      log(`usage: broker.mjs start|stop|status|fetch (got ${command ?? 'nothing'})`);
      return 2;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main(process.argv[2]).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      log(error instanceof Error ? error.message : String(error));
      process.exitCode = 1;
    },
  );
}
