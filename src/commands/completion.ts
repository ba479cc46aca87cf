import { Command } from 'commander';
import { ConfigError } from '../errors.js';
import { action } from './shared.js';

/** A command's words for completion: its subcommands and long options. */
interface Words {
  readonly path: string;
  readonly commands: readonly string[];
  readonly options: readonly string[];
}

function walk(command: Command, path: string[] = []): Words[] {
  const here: Words = {
    path: path.join(' '),
    commands: command.commands.map((c) => c.name()),
    options: [...command.options.flatMap((o) => [o.long, o.short]).filter((o): o is string => !!o), '--help'],
  };
  return [here, ...command.commands.flatMap((c) => walk(c, [...path, c.name()]))];
}

const shellWord = (w: string): string => w.replace(/[^\w\- ]/g, '');

export function bashCompletion(words: readonly Words[]): string {
  const cases = words
    .map((w) => `    "${shellWord(w.path)}") opts="${[...w.commands, ...w.options].join(' ')}" ;;`)
    .join('\n');
  return `# brewline bash completion: eval "$(brewline completion bash)" (e.g. in ~/.bashrc)
_brewline() {
  local cur path="" word opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) [ -z "$path" ] && path="$word" || path="$path $word" ;; esac
  done
  case "$path" in
${cases}
    *) opts="" ;;
  esac
  COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
}
complete -o default -F _brewline brewline
`;
}

export function zshCompletion(words: readonly Words[]): string {
  return `#compdef brewline
# brewline zsh completion: eval "$(brewline completion zsh)" (after compinit)
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(words)}`;
}

export function fishCompletion(words: readonly Words[]): string {
  const lines = [
    '# brewline fish completion: brewline completion fish > ~/.config/fish/completions/brewline.fish',
  ];
  lines.push('complete -c brewline -f');
  for (const w of words) {
    const parts = w.path === '' ? [] : w.path.split(' ');
    const condition =
      parts.length === 0 ? '__fish_use_subcommand' : `__fish_seen_subcommand_from ${parts[parts.length - 1]}`;
    for (const c of w.commands) lines.push(`complete -c brewline -n '${condition}' -a ${c}`);
    for (const o of w.options) {
      if (o.startsWith('--')) lines.push(`complete -c brewline -n '${condition}' -l ${o.slice(2)}`);
      else lines.push(`complete -c brewline -n '${condition}' -s ${o.slice(1)}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

export function registerCompletion(program: Command): Command {
  return program
    .command('completion')
    .description('print a shell completion script: eval "$(brewline completion bash)" (also zsh, fish)')
    .argument('<shell>', 'bash, zsh or fish')
    .addHelpText(
      'after',
      '\nExamples:\n  eval "$(brewline completion bash)"          # in ~/.bashrc\n' +
        '  eval "$(brewline completion zsh)"           # in ~/.zshrc, after compinit\n' +
        '  brewline completion fish > ~/.config/fish/completions/brewline.fish',
    )
    .action(
      action(async (shell: string) => {
        const { registerAll } = await import('../cli-commands.js');
        const full = new Command('brewline');
        full.option('-c, --config <file>').option('-V, --version');
        await registerAll(full);
        const words = walk(full);
        const make = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell];
        if (!make) {
          throw new ConfigError(`no completion for shell ${JSON.stringify(shell)}`, {
            hint: 'pick bash, zsh or fish',
          });
        }
        process.stdout.write(make(words));
      }),
    );
}
