import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { resolveKafkaConnection } from '../../../src/config/kafka-config.js';
import { loadConfig, type FlagValue } from '../../../src/config/load.js';
import { configSchema, ENV_BINDINGS, type BrewlineConfig } from '../../../src/config/schema.js';
import { addSourceOptions, sourceFlagValues } from '../../../src/commands/source-options.js';
import { flagValues } from '../../../src/commands/shared.js';
import { ConfigError, describeError } from '../../../src/errors.js';

function configWith(yaml: string, args: string[], env: NodeJS.ProcessEnv = {}): BrewlineConfig {
  const dir = mkdtempSync(join(tmpdir(), 'brewline-flag-merge-'));
  writeFileSync(join(dir, 'brewline.config.yaml'), yaml);
  const command = addSourceOptions(new Command('run').exitOverride());
  command.option('--sink <kind>').option('--out <path>');
  command.parse(args, { from: 'user' });
  const flags: FlagValue[] = [
    ...sourceFlagValues(command),
    ...flagValues(command, { sink: 'sink.kind', out: 'sink.path' }),
  ];
  return loadConfig(configSchema, { cwd: dir, env, envBindings: ENV_BINDINGS, flags }).config;
}

const KAFKA_FILE = `source:
  kind: kafka
  brokers: [10.0.0.5:9093]
  topic: pos
  tls: true
  sasl: { mechanism: scram-sha-512, username: brew, password: s3cret-pass }
sink:
  kind: kafka
  brokers: [10.0.0.5:9093]
  tls: true
`;

describe('flags override fields, not sections (issue 10 item 4)', () => {
  it('keeps the file’s TLS, SASL and topic when --source kafka --brokers is given', () => {
    // Given a config file with a TLS + SASL Kafka source
    // When the user passes --source kafka --brokers P
    const config = configWith(KAFKA_FILE, ['--source', 'kafka', '--brokers', '127.0.0.1:39500']);
    // Then only the brokers change: TLS and SASL stay
    expect(config.source).toMatchObject({
      kind: 'kafka',
      brokers: ['127.0.0.1:39500'],
      topic: 'pos',
      tls: true,
      sasl: { mechanism: 'scram-sha-512', username: 'brew' },
    });
    const connection = resolveKafkaConnection(
      config.source as Parameters<typeof resolveKafkaConnection>[0],
      {},
    );
    expect(connection.tls).toEqual({ rejectUnauthorized: true });
    expect(connection.sasl?.mechanism).toBe('scram-sha-512');
  });

  it('keeps the file’s brokers when --source kafka alone is given', () => {
    const config = configWith(KAFKA_FILE, ['--source', 'kafka']);
    expect(config.source).toMatchObject({ kind: 'kafka', brokers: ['10.0.0.5:9093'], tls: true });
  });

  it('keeps the connection string of an Event Hubs source with --source eventhubs', () => {
    const config = configWith(
      'source:\n  kind: eventhubs\n  connectionString: "Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=k;SharedAccessKey=v;EntityPath=orders"\n',
      ['--source', 'eventhubs', '--consumer-group', 'cg'],
    );
    expect(config.source).toMatchObject({
      kind: 'eventhubs',
      consumerGroup: 'cg',
      connectionString: expect.stringContaining('SharedAccessKey=v'),
    });
  });

  it('starts the section afresh when the flag changes its kind (no stray fields of the other kind)', () => {
    const config = configWith(KAFKA_FILE, [
      '--source',
      'file:/tmp/x.ndjson',
      '--sink',
      'file',
      '--out',
      'o.ndjson',
    ]);
    expect(config.source).toEqual({ kind: 'file', path: '/tmp/x.ndjson' });
    expect(config.sink).toEqual({ kind: 'file', path: 'o.ndjson', append: false });
  });

  it('overrides the file path of a file source and keeps a bus name', () => {
    expect(
      configWith('source:\n  kind: file\n  path: a.ndjson\n', ['--source', 'file:b.ndjson']).source,
    ).toEqual({
      kind: 'file',
      path: 'b.ndjson',
    });
    expect(configWith('source:\n  kind: bus\n  name: tills\n', ['--source', 'bus']).source).toMatchObject({
      kind: 'bus',
      name: 'tills',
    });
  });

  it('lets BREWLINE_SOURCE choose the kind, with the file’s fields kept when it names the same kind', () => {
    const config = configWith(KAFKA_FILE, [], { BREWLINE_SOURCE: 'kafka' });
    expect(config.source).toMatchObject({ kind: 'kafka', tls: true });
    expect(() => configWith(KAFKA_FILE, ['--source', 'nope'])).toThrow(ConfigError);
  });
});

describe('a secret field’s value is never printed, whatever its type (issue 10 item 6)', () => {
  function errorFor(yaml: string): string {
    const dir = mkdtempSync(join(tmpdir(), 'brewline-secret-'));
    writeFileSync(join(dir, 'brewline.config.yaml'), yaml);
    try {
      loadConfig(configSchema, { cwd: dir, env: {}, envBindings: ENV_BINDINGS });
    } catch (error) {
      return describeError(error).message;
    }
    throw new Error('expected a config error');
  }

  it.each([
    ['an unquoted number', 'password: 987654321', '987654321'],
    ['a list', 'password: [hunter2, 987654321]', 'hunter2'],
    ['an object', 'password: { value: hunter2 }', 'hunter2'],
  ])('sink.sasl.password as %s', (_kind, line, secret) => {
    const message = errorFor(
      `sink:\n  kind: kafka\n  brokers: [127.0.0.1:9092]\n  sasl:\n    mechanism: plain\n    username: u\n    ${line}\n`,
    );
    expect(message).toMatch(/sink\.sasl\.password/);
    expect(message).not.toContain(secret);
  });

  it('an Event Hubs connectionString given as a number', () => {
    const message = errorFor('source:\n  kind: eventhubs\n  connectionString: 1234567890123\n');
    expect(message).toMatch(/source\.connectionString/);
    expect(message).not.toContain('1234567890123');
  });

  it('secrets inside a value shown for a parent section', () => {
    const message = errorFor('sink: [{ kind: kafka, sasl: { password: 55512345 } }]\n');
    expect(message).not.toContain('55512345');
  });
});
