import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/domain/clock.js';
import { RemoteFeed, parseStatusUrl } from '../../../src/monitor/status-client.js';
import { startStatusServer, type StatusServer } from '../../../src/monitor/status-server.js';
import { GOLD } from '../tui/fixtures.js';
import { FakeFeed, streamReading } from './fake-feed.js';

const T0 = Date.UTC(2026, 0, 1, 3, 0);
let server: StatusServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(): Promise<{ server: StatusServer; feed: FakeFeed }> {
  const feed = new FakeFeed(
    streamReading(T0, [{ partition: 0, latest: 120, committed: 100, oldestUnprocessedMs: T0 - 1500 }]),
    GOLD,
  );
  server = await startStatusServer({ feed, port: 0, clock: new VirtualClock(T0) });
  return { server, feed };
}

/** A raw request, to control the method and Host header. */
function raw(url: string, method: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: host ? { host } : {} }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('status endpoint and its client', () => {
  it('listens on 127.0.0.1 only and serves the same stream and gold the local feed reads', async () => {
    const { server, feed } = await serve();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const remote = new RemoteFeed({ url: server.url });
    expect(await remote.readStream()).toEqual(await feed.readStream());
    const gold = await remote.readGold('Durbar Marg');
    expect(gold.branch).toBe('Durbar Marg');
    expect(feed.goldReads.at(-1)).toBe('Durbar Marg');
    expect(gold.totals).toEqual(GOLD.totals);
  });

  it('serves Prometheus text at /metrics with lag, verdict and exact gold revenue', async () => {
    const { server } = await serve();
    const response = await fetch(`${server.url}/metrics`);
    expect(response.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const text = await response.text();
    expect(text).toContain('# TYPE brewline_partition_lag_offsets gauge');
    expect(text).toContain('brewline_partition_lag_offsets{query="orders",partition="0"} 20');
    expect(text).toContain('brewline_gold_revenue_npr 395186.48');
    expect(text).toContain('brewline_gold_branch_revenue_npr{branch="Jhamsikhel"} 123456.78');
    expect(text).toMatch(/brewline_stream_verdict\{query="orders",verdict="OK"\} 1/);
  });

  it('is read-only: anything but GET/HEAD is refused, unknown routes are 404', async () => {
    const { server } = await serve();
    expect((await raw(`${server.url}/api/stream`, 'POST')).status).toBe(405);
    expect((await raw(`${server.url}/api/stream`, 'DELETE')).status).toBe(405);
    expect((await raw(`${server.url}/nope`, 'GET')).status).toBe(404);
    expect((await raw(`${server.url}/api/stream`, 'HEAD')).status).toBe(200);
  });

  it('refuses requests naming another host (DNS rebinding)', async () => {
    const { server } = await serve();
    const evil = await raw(`${server.url}/api/stream`, 'GET', 'evil.example:80');
    expect(evil.status).toBe(403);
    const ok = await raw(`${server.url}/api/stream`, 'GET', `localhost:${server.port}`);
    expect(ok.status).toBe(200);
  });

  it('reports an unreachable endpoint as one clear, retriable error', async () => {
    const started = await serve();
    const url = started.server.url;
    await started.server.close();
    // Closed here; afterEach must not close it again.
    server = undefined;
    const remote = new RemoteFeed({ url, timeoutMs: 1000 });
    await expect(remote.readStream()).rejects.toThrow(
      /cannot reach the status endpoint at http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED/,
    );
  });

  it('validates the URL it is given', () => {
    expect(parseStatusUrl('http://127.0.0.1:9464/x?y').href).toBe('http://127.0.0.1:9464/');
    expect(() => parseStatusUrl('not a url')).toThrow(/not a URL/);
    expect(() => parseStatusUrl('https://127.0.0.1:9464')).toThrow(/plain http/);
  });

  it('reports an address in use clearly', async () => {
    const { server } = await serve();
    const feed = new FakeFeed(streamReading(T0, []), GOLD);
    await expect(startStatusServer({ feed, port: server.port, clock: new VirtualClock(T0) })).rejects.toThrow(
      /EADDRINUSE/,
    );
  });
});
