import { describe, expect, it } from 'vitest';
import { BugError, ConfigError, describeError, ExternalError, redact } from '../../src/errors.js';
import { retry } from '../../src/retry.js';
import { VirtualClock } from '../../src/domain/clock.js';

describe('redaction', () => {
  it('removes keys, passwords and tokens from any message', () => {
    const cs =
      'Endpoint=sb://hj.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=abc123+/=;EntityPath=orders';
    const out = redact(`cannot connect with ${cs}`);
    expect(out).not.toContain('abc123');
    expect(out).toContain('SharedAccessKeyName=send');
    expect(redact('{"password":"hunter2"}')).not.toContain('hunter2');
    expect(
      redact(
        'DefaultEndpointsProtocol=https;AccountName=hj;AccountKey=c2VjcmV0==;EndpointSuffix=core.windows.net',
      ),
    ).not.toContain('c2VjcmV0');
    expect(redact('https://user:pa55@host/x')).not.toContain('pa55');
    expect(redact('token=dapi0123456789abcdef0123')).not.toContain('0123456789abcdef');
  });
});

describe('describeError', () => {
  it('prints config errors as one line with a hint and exit code 2', () => {
    const { message, exitCode } = describeError(
      new ConfigError('--speed: expected a number', { hint: 'e.g. --speed 60' }),
    );
    expect(exitCode).toBe(2);
    expect(message).toBe('brewline: --speed: expected a number\n  hint: e.g. --speed 60');
  });

  it('gives external failures exit 1 without a stack, and bugs a stack', () => {
    expect(describeError(new ExternalError('broker unreachable')).message).not.toContain('at ');
    expect(describeError(new BugError('oops')).message).toContain('bug');
    expect(describeError(new Error('boom')).exitCode).toBe(1);
  });
});

describe('retry', () => {
  it('retries retriable errors with backoff on the injected clock, then succeeds', async () => {
    const clock = new VirtualClock(0);
    let calls = 0;
    const delays: number[] = [];
    const done = retry(
      async () => {
        calls++;
        if (calls < 3) throw new ExternalError('busy', { retriable: true });
        return 'ok';
      },
      { clock, random: () => 0.5, onRetry: (_e, _a, d) => delays.push(d) },
    );
    await clock.advance(10_000);
    await expect(done).resolves.toBe('ok');
    expect(calls).toBe(3);
    expect(delays).toEqual([75, 150]);
  });

  it('never retries programmer errors', async () => {
    let calls = 0;
    await expect(
      retry(async () => {
        calls++;
        throw new TypeError('bug');
      }),
    ).rejects.toThrow(TypeError);
    expect(calls).toBe(1);
  });
});

describe('OS errors become one line naming the path and the fix, exit 2 (issue 10 item 10)', () => {
  const errno = (code: string, syscall: string, path: string): NodeJS.ErrnoException =>
    Object.assign(new Error(`${code}: something, ${syscall} '${path}'`), { code, syscall, path });

  it.each([
    ['EACCES', 'open', /permission denied/],
    ['EROFS', 'mkdir', /read-only file system/],
    ['ENOSPC', 'write', /no space left/],
    ['EMFILE', 'open', /too many open files/],
    ['ENOENT', 'open', /does not exist/],
    ['EISDIR', 'open', /is a directory/],
  ])('%s', (code, syscall, what) => {
    const { message, exitCode } = describeError(errno(code, syscall, '/data/out/ledger.json'));
    expect(exitCode).toBe(2);
    expect(message.split('\n')).toHaveLength(1);
    expect(message).toMatch(/^brewline: /);
    expect(message).toContain('/data/out/ledger.json');
    expect(message).toMatch(what);
    expect(message).toContain(`(${code})`);
    expect(message).not.toMatch(/internal error|at .*:\d+:\d+/);
  });

  it('finds the OS error inside a wrapping error and keeps what was being done', () => {
    const wrapped = new ExternalError('writing /tmp/o.ndjson failed', {
      cause: errno('ENOSPC', 'write', '/tmp/o.ndjson'),
    });
    const { message, exitCode } = describeError(wrapped);
    expect(exitCode).toBe(2);
    expect(message).toMatch(/^brewline: writing \/tmp\/o\.ndjson failed: no space left on device \(ENOSPC\)/);
  });

  it('recognises DuckDB I/O errors by their text', () => {
    const duck = new Error(
      'IO Error: Could not write file "/ro/lakehouse.duckdb.wal": Read-only file system',
    );
    const { message, exitCode } = describeError(duck);
    expect(exitCode).toBe(2);
    expect(message).toContain('/ro/lakehouse.duckdb.wal');
    expect(message).toMatch(/read-only file system \(EROFS\)/);
  });

  it('leaves other errors alone', () => {
    expect(describeError(errno('EPIPE', 'write', '/x')).exitCode).toBe(1);
    expect(describeError(new Error('boom')).message).toMatch(/internal error/);
  });
});
