import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeTempDir, spawnCli, tempDir, waitFor, type CliProcess } from '../helpers/cli.js';
import { parsePrometheusText } from '../helpers/prometheus-text.js';

/**
 * `simulate --status-port` (the container's job) serves Prometheus metrics a scraper can parse, with the
 * README's names and types, plus /healthz and /readyz.
 */
let dir: string;
let sim: CliProcess | undefined;

beforeAll(() => {
  dir = tempDir('simulate-metrics');
});
afterAll(async () => {
  await sim?.stop();
  removeTempDir(dir);
});

describe('brewline simulate --status-port', () => {
  it('serves /metrics as Prometheus text with counters, the ack-latency histogram and build info', async () => {
    const running = spawnCli(
      [
        'simulate',
        '--sink',
        'file',
        '--out',
        'o.ndjson',
        '--orders',
        '1000000',
        '--rate',
        '2000',
        '--status-port',
        '0',
      ],
      { cwd: dir },
    );
    sim = running;
    const url = await waitFor(
      () => /metrics (http:\/\/127\.0\.0\.1:\d+)\/metrics/.exec(running.stderr)?.[1],
      {
        timeoutMs: 20_000,
        what: 'the metrics endpoint',
        detail: () => running.stderr,
      },
    );
    // Once some orders are acknowledged
    const families = await waitFor(
      async () => {
        const f = parsePrometheusText(await (await fetch(`${url}/metrics`)).text());
        return (f.get('brewline_simulator_acked_total')?.samples[0]?.value ?? 0) > 0 && f;
      },
      { timeoutMs: 20_000, what: 'acknowledged orders in /metrics' },
    );
    for (const [name, type] of [
      ['brewline_build_info', 'gauge'],
      ['brewline_simulator_generated_total', 'counter'],
      ['brewline_simulator_acked_total', 'counter'],
      ['brewline_simulator_errors_total', 'counter'],
      ['brewline_simulator_faults_total', 'counter'],
      ['brewline_simulator_ack_latency_seconds', 'histogram'],
      ['brewline_process_resident_memory_bytes', 'gauge'],
    ] as const) {
      expect(families.get(name)?.type, name).toBe(type);
    }
    const count = families
      .get('brewline_simulator_ack_latency_seconds')!
      .samples.find((s) => s.name.endsWith('_count'));
    expect(count!.value).toBeGreaterThan(0);
    expect(families.get('brewline_build_info')!.samples[0]!.labels['version']).toMatch(/^\d+\.\d+\.\d+/);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect(await (await fetch(`${url}/readyz`)).json()).toEqual({ status: 'ready', simulator: 'running' });
    const { code } = await running.stop('SIGINT');
    expect(code).toBe(0);
  });
});
