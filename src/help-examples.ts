import type { Command } from 'commander';

/** Examples shown at the end of each command's --help (keyed by the command path under `brewline`). */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  simulate: [
    'brewline simulate --orders 100000 --speed max --sink file --out orders.ndjson --ledger ledger.json',
    'brewline simulate --rate 500 --sink kafka --brokers 127.0.0.1:9092 --topic orders',
    'brewline simulate --duration 8h --speed 3600 --status-port 9464   # metrics for Prometheus',
  ],
  pipeline: ['brewline pipeline run --source file:orders.ndjson', 'brewline pipeline reset-uncommitted'],
  'pipeline run': [
    'brewline pipeline run --source file:orders.ndjson --available-now      # catch up, then stop',
    'brewline pipeline run --source kafka --brokers 127.0.0.1:9092 --status-port 9464',
    'brewline pipeline run --source file:orders.ndjson --thresholds backlog=5000/50000',
  ],
  'pipeline reset-uncommitted': ['brewline pipeline reset-uncommitted --checkpoint .brewline/checkpoint'],
  verify: ['brewline verify --ledger ledger.json', 'brewline verify --ledger ledger.json --json'],
  query: [
    'brewline query "SELECT * FROM gold.hourly_sales ORDER BY window_start"',
    'brewline query --json "SELECT branch, SUM(revenue) FROM gold.branch_revenue GROUP BY 1"',
  ],
  demo: [
    'brewline demo',
    'brewline demo --duration 30s --plain          # no dashboard, a line every 5s',
    'brewline demo --json --duration 1m | jq .stream.verdict',
  ],
  monitor: [
    'brewline monitor --url http://127.0.0.1:9464',
    'brewline monitor --url http://127.0.0.1:9464 --refresh 500ms --thresholds lag=10s/1m',
    'brewline monitor --url http://127.0.0.1:9464 --json --duration 10s',
  ],
  lag: ['brewline lag --source file:orders.ndjson', 'brewline lag --source kafka --group brewline --json'],
};

/** Adds the examples above to every command that has some (commands added later get none). */
export function addExamples(program: Command, path: string[] = []): void {
  for (const command of program.commands) {
    const key = [...path, command.name()].join(' ');
    const examples = EXAMPLES[key];
    if (examples) command.addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`);
    addExamples(command, [...path, command.name()]);
  }
}
