import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands/index.js';
import { EXIT_USAGE, redact } from './errors.js';

// `brewline … | head` closes our stdout early: that is the reader's choice, not an error.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

const program = new Command();
program
  .name('brewline')
  .description(
    "Himalayan Java's real-time lakehouse in a terminal: POS load generator, medallion pipeline, live monitor",
  )
  .version('0.1.0')
  .option('-c, --config <file>', 'config file (YAML or JSON); default: ./brewline.config.yaml if present')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(redact(text)) });

registerCommands(program);

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
