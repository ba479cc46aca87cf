import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileSink } from '../../../src/backends/file/file-sink.js';
import { NullSink } from '../../../src/backends/null/null-sink.js';
import { createSink } from '../../../src/backends/sinks.js';
import { StdoutSink } from '../../../src/backends/stdout/stdout-sink.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'brewline-sinks-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('file sink', () => {
  it('writes NDJSON in send order, and a send resolves only once its bytes are in the file', async () => {
    const path = join(dir, 'o.ndjson');
    const sink = new FileSink({ path });
    await sink.open();
    const first = sink.send([
      { key: 'A', value: '{"a":1}' },
      { key: 'A', value: new Uint8Array([0xff, 0xfe, 0x80]) },
    ]);
    const second = sink.send([{ key: 'B', value: '{"b":2}' }]);
    const receipt = await first;
    expect(receipt.acked).toBe(2);
    expect(readFileSync(path).subarray(0, 8).toString()).toBe('{"a":1}\n');
    await second;
    expect([...readFileSync(path)]).toEqual([
      ...Buffer.from('{"a":1}\n'),
      0xff,
      0xfe,
      0x80,
      0x0a,
      ...Buffer.from('{"b":2}\n'),
    ]);
    await sink.close();
  });

  it('truncates by default and appends when asked', async () => {
    const path = join(dir, 'o.ndjson');
    for (const append of [false, true]) {
      const sink = new FileSink({ path, append });
      await sink.open();
      await sink.send([{ key: 'k', value: 'x' }]);
      await sink.close();
    }
    expect(readFileSync(path, 'utf8')).toBe('x\nx\n');
  });

  it('fails to open a file in a missing directory with a clear error', async () => {
    const sink = new FileSink({ path: join(dir, 'missing', 'o.ndjson') });
    await expect(sink.open()).rejects.toThrow(/cannot open .*o\.ndjson for writing/);
  });
});

describe('stdout sink', () => {
  it('writes one line per message to its stream and acks after the write', async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on('data', (c: Buffer) => chunks.push(c));
    const sink = new StdoutSink(out);
    await sink.open();
    const r = await sink.send([
      { key: 'A', value: '{"a":1}' },
      { key: 'B', value: 'healthcheck' },
    ]);
    await sink.close();
    expect(r.acked).toBe(2);
    expect(Buffer.concat(chunks).toString()).toBe('{"a":1}\nhealthcheck\n');
  });

  it('reports a closed pipe as a failure of later sends', async () => {
    const out = new PassThrough();
    const sink = new StdoutSink(out);
    await sink.open();
    out.emit('error', Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await expect(sink.send([{ key: 'A', value: 'x' }])).rejects.toThrow(/closed by the reader/);
  });
});

describe('sink registry', () => {
  it('creates each kind lazily from its config', async () => {
    const nul = await createSink({ kind: 'null' });
    expect(nul.kind).toBe('null');
    expect((await createSink({ kind: 'file', path: join(dir, 'x'), append: false })).kind).toBe('file');
    expect((await createSink({ kind: 'stdout' }, { stdout: new PassThrough() })).kind).toBe('stdout');
    const bus = await createSink({ kind: 'bus', name: 'sinks-test', partitions: 3 });
    expect(bus.kind).toBe('bus');
    expect(bus.description).toContain('3 partitions');
  });

  it('null sink acknowledges everything and counts bytes', async () => {
    const sink = new NullSink();
    const r = await sink.send([
      { key: 'a', value: 'héllo' },
      { key: 'b', value: new Uint8Array(3) },
    ]);
    expect(r).toMatchObject({ acked: 2, rejections: [] });
    expect(sink.messages).toBe(2);
    expect(sink.bytes).toBe(9);
  });
});
