import { Command, CommanderError } from 'commander';
import { buildInfo } from './build-info.js';
import { commandNamed, registerFor } from './cli-commands.js';
import { EXIT_USAGE, redact } from './errors.js';
import { configureHelp, groupOptions, wrapHelpOutput } from './help-format.js';
import { addExamples } from './help-examples.js';

// `brewline … | head` closes our stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const build = buildInfo();
const program = new Command();
program
  .name('brewline')
  .description(
    "Himalayan Java's real-time lakehouse in a terminal: POS load generator, medallion pipeline, live monitor",
  )
  .version(
    `brewline ${build.version} (commit ${build.commit}, built ${build.builtAt}; node ${process.versions.node})`,
    '-V, --version',
    'print the version and the build it comes from',
  )
  .option('-c, --config <file>', 'config file (YAML or JSON); default: ./brewline.config.yaml if present')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({
    outputError: (text, write) => write(redact(text)),
    // Help and version only (commands write their own output): wrapped for the terminal.
    writeOut: (text) => process.stdout.write(wrapHelpOutput(text, process.stdout.columns || 80)),
  });
configureHelp(program);
program.addHelpText(
  'after',
  [
    '',
    'Examples:',
    '  brewline demo                                    the whole chain with a live dashboard',
    '  brewline simulate --orders 100000 --speed max --out orders.ndjson --sink file',
    '  brewline pipeline run --source file:orders.ndjson --status-port 9464',
    '  brewline monitor --url http://127.0.0.1:9464',
    '  eval "$(brewline completion bash)"               tab completion (also zsh, fish)',
    '',
    'brewline COMMAND --help shows the options and examples of each command.',
  ].join('\n'),
);

await registerFor(program, commandNamed(process.argv.slice(2)));
groupOptions(program);
addExamples(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version are not errors; everything else commander rejects is a usage error.
    process.exitCode =
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
        ? 0
        : EXIT_USAGE;
  } else {
    throw error;
  }
}
