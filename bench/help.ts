/**
 * How fast `brewline --help` and `--version` start (target: under 150 ms of brewline's own time): each is
 * run N times as a real process; the median wall time is printed beside that of an empty `node -e ""`, so
 * the machine's own Node start-up (slow on a loaded 2-core box) is visible. A benchmark, not a test.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../bin/brewline.js', import.meta.url));
const RUNS = Number(process.env['BENCH_RUNS'] ?? 15);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function time(args: readonly string[]): { ms: number; rssMb: number } {
  const samples: number[] = [];
  let rss = 0;
  for (let i = 0; i < RUNS; i++) {
    const start = process.hrtime.bigint();
    const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...args], { encoding: 'utf8' });
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr}`);
    rss = Math.max(rss, Number(r.stderr.trim().split('\n').at(-1)) / 1024);
  }
  return { ms: median(samples), rssMb: rss };
}

const baseline = time(['-e', '']);
console.log(
  `node -e ""          median ${baseline.ms.toFixed(0)} ms  peak RSS ${baseline.rssMb.toFixed(0)} MB (${RUNS} runs)`,
);
for (const args of [['--help'], ['--version'], ['simulate', '--help']]) {
  const t = time([BIN, ...args]);
  const own = t.ms - baseline.ms;
  console.log(
    `brewline ${args.join(' ').padEnd(16)} median ${t.ms.toFixed(0)} ms  (+${own.toFixed(0)} ms over node)  peak RSS ${t.rssMb.toFixed(0)} MB` +
      (args[0] === '--help' || args[0] === '--version'
        ? `  ${t.ms < 150 || own < 150 ? 'within' : 'OVER'} the 150 ms target${t.ms < 150 ? '' : ' (own time)'}`
        : ''),
  );
}
