import { describe, expect, it } from 'vitest';
import { HeadlessReporter } from '../../../src/monitor/headless-reporter.js';
import { BrewlineMetrics } from '../../../src/monitor/metrics.js';
import { parsePrometheusText } from '../../helpers/prometheus-text.js';
import { PushStore, SNAPSHOT } from '../tui/fixtures.js';

const ESC = String.fromCharCode(27);

describe('headless reporters', () => {
  it('prints one readable line per report interval, without escape codes, and a summary at the end', () => {
    const store = new PushStore(SNAPSHOT);
    const lines: string[] = [];
    const reporter = new HeadlessReporter({
      store,
      format: 'plain',
      intervalMs: 5000,
      write: (l) => lines.push(l),
      lakehouse: 'x.duckdb',
    });
    reporter.start();
    // Given readings every second for 11 seconds
    for (let i = 1; i <= 11; i++)
      store.push({ readings: SNAPSHOT.readings + i, nowMs: SNAPSHOT.nowMs + i * 1000 });
    // Then a line at 1s, 6s and 11s
    expect(lines).toHaveLength(3);
    reporter.finish();
    const text = lines.join('\n');
    expect(text).not.toContain(ESC);
    expect(lines[0]).toContain('WARN');
    expect(lines[0]).toContain('sim clock 2026-11-26 09:15:00 NPT');
    expect(lines[0]).toContain('lag 4,510 (3.4s)');
    expect(lines[0]).toContain('gold NPR 395,186.48 13,553 orders, top Jhamsikhel 31.2%');
    expect(lines[0]).toContain('why: partition 2: lag rising 120 → 4,500');
    expect(text).toContain(
      'summary: verdict WARN, 321 batches, 39,000 records, 12 quarantined, 7 dropped by watermark',
    );
    expect(text).toContain('branch 1. Jhamsikhel: NPR 123,456.78 (31.2%), 4,321 orders');
    expect(text).toContain('product 1. Americano: 2,345 sold, NPR 433,825.00, 1,999 orders');
    expect(text).toContain('--lakehouse x.duckdb');
  });

  it('prints a failed reading at once, even inside the interval', () => {
    const store = new PushStore(SNAPSHOT);
    const lines: string[] = [];
    const reporter = new HeadlessReporter({
      store,
      format: 'plain',
      intervalMs: 60_000,
      write: (l) => lines.push(l),
    });
    reporter.start();
    store.push({ readings: 11, nowMs: SNAPSHOT.nowMs + 1 });
    store.push({ error: 'cannot reach the status endpoint', nowMs: SNAPSHOT.nowMs + 2 });
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('error: cannot reach the status endpoint');
  });

  it('prints JSON lines with exact money strings and a final summary object', () => {
    const store = new PushStore(SNAPSHOT);
    const lines: string[] = [];
    const reporter = new HeadlessReporter({
      store,
      format: 'json',
      intervalMs: 1000,
      write: (l) => lines.push(l),
    });
    reporter.start();
    store.push({ readings: 11 });
    reporter.finish();
    const [status, summary] = lines.map((l) => JSON.parse(l) as Record<string, any>); // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed JSON in a test
    expect(status!['type']).toBe('status');
    expect(status!['schema']).toBe('brewline.status/1');
    // One casing throughout
    const keys = (v: unknown): string[] =>
      v && typeof v === 'object'
        ? Object.entries(v).flatMap(([k, x]) => [...(Array.isArray(v) ? [] : [k]), ...keys(x)])
        : [];
    for (const key of keys(status)) expect(key).toMatch(/^[a-z0-9_]+$/);
    expect(status!['gold']['revenue']).toBe('395186.48');
    expect(status!['gold']['branches'][0]).toEqual({
      branch: 'Jhamsikhel',
      revenue: '123456.78',
      orders: 4321,
      items: 9876,
    });
    expect(status!['stream']['verdict']).toBe('WARN');
    expect(status!['stream']['partitions'][2]).toMatchObject({ partition: 2, lag: 4500, lag_seconds: 3.4 });
    expect(status!['load']['faults']['invalid']).toBe(12);
    expect(summary!['type']).toBe('summary');
    expect(lines.join('')).not.toContain(ESC);
  });
});

describe('Prometheus metrics', () => {
  it('exposes the snapshot as valid Prometheus text: counters, histograms, build info, escaped labels', async () => {
    const metrics = new BrewlineMetrics(
      { version: '1.2.3', commit: 'abc1234', builtAt: 'x' },
      { process: false },
    );
    metrics.observe({
      ...SNAPSHOT,
      gold: { ...SNAPSHOT.gold!, branches: [{ branch: 'a"b\\c', revenue: 150, orders: 1, items: 1 }] },
    });
    metrics.observeAck(12);
    const text = await metrics.text();
    const families = parsePrometheusText(text);
    expect(families.get('brewline_build_info')?.samples[0]?.labels).toMatchObject({
      version: '1.2.3',
      commit: 'abc1234',
    });
    expect(families.get('brewline_simulator_faults_total')?.type).toBe('counter');
    expect(
      families.get('brewline_simulator_faults_total')?.samples.find((s) => s.labels['kind'] === 'very_late')
        ?.value,
    ).toBe(3);
    expect(families.get('brewline_dropped_by_watermark_rows_total')?.samples[0]).toMatchObject({
      labels: { query: 'brewline_gold' },
      value: 7,
    });
    expect(
      families.get('brewline_partition_lag_seconds')?.samples.find((s) => s.labels['partition'] === '2')
        ?.value,
    ).toBe(3.4);
    expect(families.get('brewline_batch_duration_seconds')?.type).toBe('histogram');
    expect(
      families.get('brewline_batch_duration_seconds')?.samples.find((s) => s.name.endsWith('_count'))?.value,
    ).toBe(2);
    expect(
      families.get('brewline_simulator_ack_latency_seconds')?.samples.find((s) => s.name.endsWith('_sum'))
        ?.value,
    ).toBe(0.012);
    expect(families.get('brewline_gold_branch_revenue_npr')?.samples[0]).toEqual({
      name: 'brewline_gold_branch_revenue_npr',
      labels: { branch: 'a"b\\c' },
      value: 1.5,
    });
    // A second observation of the same totals does not count them twice
    metrics.observe(SNAPSHOT);
    const again = parsePrometheusText(await metrics.text());
    expect(again.get('brewline_batches_total')?.samples[0]?.value).toBe(321);
    expect(
      again.get('brewline_batch_duration_seconds')?.samples.find((s) => s.name.endsWith('_count'))?.value,
    ).toBe(2);
  });
});
