import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS, commandNamed, registerAll } from '../../src/cli-commands.js';
import { bashCompletion, fishCompletion } from '../../src/commands/completion.js';
import { configureHelp, wrapHelpOutput, wrapWords } from '../../src/help-format.js';

describe('lazy command loading', () => {
  it('finds the command a command line names, past global options and `help`', () => {
    expect(commandNamed(['--help'])).toBeUndefined();
    expect(commandNamed(['-V'])).toBeUndefined();
    expect(commandNamed(['-c', 'x.yaml', 'demo', '--duration', '5s'])).toBe('demo');
    expect(commandNamed(['help', 'pipeline'])).toBe('pipeline');
    expect(commandNamed(['pipeline', 'run', '--source', 'kafka'])).toBe('pipeline');
  });

  it("lists each command in --help with the command's own description", async () => {
    const program = new Command();
    await registerAll(program);
    for (const command of program.commands) {
      expect(COMMANDS[command.name()]?.description, command.name()).toBe(command.description());
    }
    expect(program.commands.map((c) => c.name()).sort()).toEqual(Object.keys(COMMANDS).sort());
  });
});

describe('completion and help wrapping', () => {
  it('completes subcommands and their options in bash and fish', () => {
    const words = [
      { path: '', commands: ['demo', 'pipeline'], options: ['--config', '--help'] },
      { path: 'pipeline run', commands: [], options: ['--source', '--help'] },
    ];
    expect(bashCompletion(words)).toContain('"pipeline run") opts="--source --help"');
    expect(bashCompletion(words)).toContain('complete -o default -F _brewline brewline');
    expect(fishCompletion(words)).toContain(
      "complete -c brewline -n '__fish_seen_subcommand_from run' -l source",
    );
  });

  it('lays options out so the wrap for the terminal has nothing left to do (no lone word on a line)', () => {
    const program = new Command('brewline');
    configureHelp(program, 80);
    program
      .command('run')
      .option(
        '--group <id>',
        'consumer group: pipeline run (Kafka) also commits processed offsets to it; lag reads its offsets',
      )
      .option('--a-very-long-option-name-indeed <value-with-a-long-name>', 'x '.repeat(60));
    const help = program.commands[0]!.helpInformation();
    expect(wrapHelpOutput(help, 80)).toBe(help);
  });

  it('wraps at word boundaries and never breaks a word', () => {
    const lines = wrapWords('serve progress, gold, /metrics, /healthz and /readyz for scrapers', 20);
    expect(lines).toEqual(['serve progress,', 'gold, /metrics,', '/healthz and /readyz', 'for scrapers']);
  });
});
