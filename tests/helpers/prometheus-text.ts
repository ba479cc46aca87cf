/**
 * A strict reader of the Prometheus text exposition format 0.0.4, for tests that scrape /metrics: every line
 * is a `# HELP`, a `# TYPE`, or a sample `name{label="value",…} value [timestamp]`; a sample's family must
 * have been typed before it. Throws on anything else, so a malformed exposition fails the test.
 */
export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string;
  samples: { name: string; labels: Record<string, string>; value: number }[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(?:,|$)/y;

function parseValue(text: string, line: string): number {
  // Prometheus reads values with Go's ParseFloat: NaN and Inf in any letter case.
  const t = text.toLowerCase();
  if (t === '+inf' || t === 'inf') return Infinity;
  if (t === '-inf') return -Infinity;
  if (t === 'nan') return Number.NaN;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) throw new Error(`bad value in: ${line}`);
  return Number(text);
}

function familyOf(sample: string, families: Map<string, MetricFamily>): MetricFamily | undefined {
  if (families.has(sample)) return families.get(sample);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (sample.endsWith(suffix)) {
      const f = families.get(sample.slice(0, -suffix.length));
      if (f && (f.type === 'histogram' || f.type === 'summary')) return f;
    }
  }
  return undefined;
}

export function parsePrometheusText(text: string): Map<string, MetricFamily> {
  if (!text.endsWith('\n')) throw new Error('exposition must end with a newline');
  const families = new Map<string, MetricFamily>();
  for (const line of text.slice(0, -1).split('\n')) {
    if (line === '') continue;
    let m: RegExpExecArray | null;
    if ((m = new RegExp(`^# HELP (${NAME}) (.*)$`).exec(line))) {
      const f = families.get(m[1]!) ?? { name: m[1]!, type: 'untyped', help: '', samples: [] };
      f.help = m[2]!;
      families.set(f.name, f);
    } else if ((m = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`).exec(line))) {
      const f = families.get(m[1]!) ?? { name: m[1]!, type: 'untyped', help: '', samples: [] };
      if (f.samples.length > 0) throw new Error(`TYPE after samples: ${line}`);
      f.type = m[2] as MetricFamily['type'];
      families.set(f.name, f);
    } else if (line.startsWith('#')) {
      continue;
    } else if ((m = SAMPLE.exec(line))) {
      const family = familyOf(m[1]!, families);
      if (!family || family.type === 'untyped') throw new Error(`sample before its TYPE: ${line}`);
      const labels: Record<string, string> = {};
      const body = m[2] ?? '';
      LABEL.lastIndex = 0;
      while (LABEL.lastIndex < body.length) {
        const l = LABEL.exec(body);
        if (!l) throw new Error(`bad labels in: ${line}`);
        labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
      }
      if (family.type === 'counter' && !m[1]!.endsWith('_total') && family.name === m[1])
        throw new Error(`counter without _total: ${line}`);
      family.samples.push({ name: m[1]!, labels, value: parseValue(m[3]!, line) });
    } else {
      throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    }
  }
  return families;
}
