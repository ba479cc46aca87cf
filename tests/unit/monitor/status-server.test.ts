import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../../src/domain/clock.js';
import { RemoteFeed, parseStatusUrl } from '../../../src/monitor/status-client.js';
import { startStatusServer, type StatusServer } from '../../../src/monitor/status-server.js';
import { GOLD } from '../tui/fixtures.js';
import { parsePrometheusText } from '../../helpers/prometheus-text.js';
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

async function waitForStatus(url: string, status: number): Promise<unknown> {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(url);
    if (r.status === status) return r.json();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`${url} never answered ${status}`);
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
    // It parses as Prometheus text, with the README's names and types
    const families = parsePrometheusText(text);
    for (const [name, type] of [
      ['brewline_build_info', 'gauge'],
      ['brewline_up', 'gauge'],
      ['brewline_stream_verdict', 'gauge'],
      ['brewline_partition_lag_offsets', 'gauge'],
      ['brewline_batches_total', 'counter'],
      ['brewline_input_rows_total', 'counter'],
      ['brewline_batch_duration_seconds', 'histogram'],
      ['brewline_simulator_ack_latency_seconds', 'histogram'],
      ['brewline_gold_revenue_npr', 'gauge'],
      ['brewline_process_cpu_seconds_total', 'counter'],
      ['brewline_process_resident_memory_bytes', 'gauge'],
    ] as const) {
      expect(families.get(name)?.type, name).toBe(type);
    }
    expect(text).toContain('brewline_partition_lag_offsets{query="orders",partition="0",unit="records"} 20');
    expect(text).toContain('brewline_gold_revenue_npr 395186.48');
    expect(text).toContain('brewline_gold_branch_revenue_npr{branch="Jhamsikhel"} 123456.78');
    expect(text).toMatch(/brewline_stream_verdict\{query="orders",verdict="OK"\} 1/);
  });

  it('answers 400 to bad parameters, never a 500 carrying internal text', async () => {
    const { server, feed } = await serve();
    feed.readGold = async () => {
      throw new Error('Binder Error: SELECT secret FROM gold WHERE branch = ?');
    };
    for (const query of [
      'branch=%00',
      'branch=a%0Ab',
      `branch=${'x'.repeat(101)}`,
      'brnch=x',
      'branch=a&branch=b',
    ]) {
      const r = await raw(`${server.url}/api/gold?${query}`, 'GET');
      expect(r.status, query).toBe(400);
      expect(JSON.parse(r.body).error).toBeTruthy();
    }
    const failed = await raw(`${server.url}/api/gold?branch=Thamel`, 'GET');
    expect(failed.status).toBe(500);
    expect(failed.body).not.toMatch(/SELECT|Binder/);
  });

  it('caps open connections and closes idle ones, so a flood cannot exhaust file descriptors', async () => {
    const feed = new FakeFeed(streamReading(T0, []), GOLD);
    server = await startStatusServer({ feed, port: 0, clock: new VirtualClock(T0), maxConnections: 5 });
    const sockets = await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<Socket>((resolve) => {
            const s = connect(server!.port, '127.0.0.1', () => resolve(s));
            s.on('error', () => undefined);
          }),
      ),
    );
    // Those beyond the cap are closed by the server at once
    const closed = await Promise.all(
      sockets.map(
        (s) =>
          new Promise<boolean>((resolve) => {
            if (s.destroyed) return resolve(true);
            s.once('close', () => resolve(true));
            setTimeout(() => resolve(false), 500).unref();
          }),
      ),
    );
    expect(closed.filter(Boolean).length).toBeGreaterThanOrEqual(15);
    for (const s of sockets) s.destroy();
    // And the endpoint answers again once the flood is gone
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = await raw(`${server.url}/healthz`, 'GET').then(
        (r) => r.status,
        () => 0,
      );
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(200);
  });

  it('serves /healthz and /readyz (ready once the engine has been read)', async () => {
    const { server } = await serve();
    expect(JSON.parse((await raw(`${server.url}/healthz`, 'GET')).body)).toEqual({ status: 'ok' });
    const ready = await waitForStatus(`${server.url}/readyz`, 200);
    expect(ready).toMatchObject({ status: 'ready' });
    const status = await (await fetch(`${server.url}/api/status`)).json();
    expect(status).toMatchObject({ schema: 'brewline.status/1', mode: 'pipeline' });
  });

  it('listens on the address it is given (0.0.0.0 for a container) and then answers any Host', async () => {
    const feed = new FakeFeed(streamReading(T0, []), GOLD);
    server = await startStatusServer({ feed, port: 0, host: '0.0.0.0', clock: new VirtualClock(T0) });
    expect(server.url).toMatch(/^http:\/\/0\.0\.0\.0:\d+$/);
    const r = await raw(`http://127.0.0.1:${server.port}/healthz`, 'GET', `brewline.internal:${server.port}`);
    expect(r.status).toBe(200);
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
