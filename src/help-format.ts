import type { Command, Help } from 'commander';

/** Below this many columns for a description, it goes under its option instead of beside it. */
const MIN_DESCRIPTION_WIDTH = 40;
const ITEM_INDENT = 2;
const UNDER_INDENT = 6;

const textWidth = (text: string): number => Array.from(text).length;

/**
 * Help text as written (the options table, and every addHelpText block of a command), with any line wider
 * than `columns − 1` wrapped at spaces; continuation lines keep the line's indentation plus two.
 */
export function wrapHelpOutput(text: string, columns: number): string {
  const limit = Math.max(40, columns - 1);
  return text
    .split('\n')
    .flatMap((line) => {
      if (textWidth(line) <= limit) return [line];
      const indent = /^\s*/.exec(line)![0];
      const lines = wrapWords(line.slice(indent.length), limit - indent.length - 2);
      return lines.map((l, i) => (i === 0 ? indent : `${indent}  `) + l);
    })
    .join('\n');
}

/** Wraps `text` at spaces to `limit` columns; a list too long for a line may also break after its commas. */
export function wrapWords(text: string, limit: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    // Pieces with the separator that joins them to the previous one on a line.
    const pieces = paragraph
      .split(/\s+/)
      .filter(Boolean)
      .flatMap((w) =>
        textWidth(w) > limit
          ? w.split(/(?<=,)/).map((p, i) => ({ text: p, glue: i === 0 ? ' ' : '' }))
          : [{ text: w, glue: ' ' }],
      );
    let line = '';
    for (const piece of pieces) {
      if (line === '') line = piece.text;
      else if (textWidth(line) + piece.glue.length + textWidth(piece.text) <= limit)
        line += piece.glue + piece.text;
      else {
        lines.push(line);
        line = piece.text;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * Help wrapped at word boundaries for the terminal's width (commander leaves descriptions unwrapped when
 * its column is narrower than 40, and the terminal then breaks words). A long option puts its description
 * on the lines below it. Subcommands inherit this (configure it before adding them).
 */
export function configureHelp(program: Command, columns = process.stdout.columns): void {
  // One column less than the terminal, as wrapHelpOutput's limit: a line that fills the last column would be
  // wrapped again there, leaving a lone word on a line of its own.
  const width = Math.max(40, Math.min(columns || 80, 120)) - 1;
  program.configureHelp({
    helpWidth: width,
    formatItem(term: string, termWidth: number, description: string, helper: Help): string {
      const indent = ' '.repeat(ITEM_INDENT);
      if (!description) return indent + term;
      const beside = width - termWidth - 2 - ITEM_INDENT;
      if (beside >= MIN_DESCRIPTION_WIDTH && helper.displayWidth(term) <= termWidth) {
        const lines = wrapWords(description, beside);
        const pad = ' '.repeat(ITEM_INDENT + termWidth + 2);
        return indent + term.padEnd(termWidth) + '  ' + lines.join(`\n${pad}`);
      }
      const under = ' '.repeat(UNDER_INDENT);
      return `${indent}${term}\n${wrapWords(description, width - UNDER_INDENT)
        .map((l) => under + l)
        .join('\n')}`;
    },
  });
}

const GROUPS: readonly [RegExp, string][] = [
  [/^Kafka:/, 'Kafka options:'],
  [/^Event Hubs:/, 'Event Hubs options:'],
  [/^databricks:/i, 'Databricks options (--engine databricks):'],
  [/^headless:/, 'Headless output options:'],
];

/**
 * Groups each command's options under a heading by the backend they apply to (their help starts with
 * "Kafka:", "Event Hubs:", "databricks:" …), so the general options come first and the rest is skippable.
 */
export function groupOptions(command: Command): void {
  for (const option of command.options) {
    const group = GROUPS.find(([re]) => re.test(option.description));
    if (group) option.helpGroup(group[1]);
  }
  for (const sub of command.commands) groupOptions(sub);
}
