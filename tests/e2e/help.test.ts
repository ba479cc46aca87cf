import { describe, expect, it } from 'vitest';
import { runCli, REPO } from '../helpers/cli.js';

/** Every --help at 80 columns: examples, grouped options, no line wider than the terminal. */
const COMMANDS = [
  [],
  ['simulate'],
  ['pipeline'],
  ['pipeline', 'run'],
  ['pipeline', 'reset-uncommitted'],
  ['verify'],
  ['query'],
  ['demo'],
  ['monitor'],
  ['lag'],
  ['completion'],
];

describe('brewline --help', () => {
  it.each(COMMANDS)('%s: has examples and fits 80 columns, wrapped at word boundaries', (...path) => {
    const r = runCli([...path, '--help'], { cwd: REPO, env: { COLUMNS: '80' }, timeoutMs: 60_000 });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('Examples:');
    for (const line of r.stdout.split('\n')) expect(Array.from(line).length, line).toBeLessThanOrEqual(79);
  });

  it('groups backend options under their own headings', () => {
    const r = runCli(['pipeline', 'run', '--help'], { cwd: REPO, timeoutMs: 60_000 });
    expect(r.stdout).toMatch(/\nOptions:\n[\s\S]*\nKafka options:\n[\s\S]*--brokers/);
    expect(r.stdout).toMatch(/\nEvent Hubs options:\n[\s\S]*--hub/);
  });

  it('names the build in --version, and prints completion scripts', () => {
    expect(runCli(['--version'], { cwd: REPO }).stdout).toMatch(
      /^brewline \d+\.\d+\.\d+ \(commit [\w-]+, built /,
    );
    const bash = runCli(['completion', 'bash'], { cwd: REPO });
    expect(bash.stdout).toContain('complete -o default -F _brewline brewline');
    expect(bash.stdout).toMatch(/"pipeline run"\) opts="[^"]*--source/);
    expect(runCli(['completion', 'fish'], { cwd: REPO }).stdout).toContain('complete -c brewline');
    expect(runCli(['completion', 'zsh'], { cwd: REPO }).stdout).toContain('#compdef brewline');
    expect(runCli(['completion', 'tcsh'], { cwd: REPO }).status).toBe(2);
  });
});
