/**
 * A real terminal for e2e tests: tmux on a private socket, read the way a person reads the screen. Every
 * session a test starts is killed with its server in `kill()`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { waitFor } from './cli.js';

export class Tmux {
  private readonly socket: string;

  constructor(name: string) {
    this.socket = `brewline-${name}-${process.pid}`;
  }

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8' });
  }

  /** Starts `command` (a shell line) in a detached session of `columns`×`rows`. */
  start(session: string, columns: number, rows: number, cwd: string, command: string): void {
    this.run(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      String(columns),
      '-y',
      String(rows),
      '-c',
      cwd,
      command,
    );
  }

  screen(session: string): string {
    return this.run('capture-pane', '-p', '-t', session);
  }

  press(session: string, key: string, literal = true): void {
    this.run('send-keys', '-t', session, ...(literal ? ['-l', key] : [key]));
  }

  /** Polls the screen until `predicate` holds (bounded), returning the screen it saw. */
  async waitForScreen(
    session: string,
    predicate: (text: string) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<string> {
    let last = '';
    return waitFor(
      () => {
        last = this.screen(session);
        return predicate(last) && last;
      },
      { timeoutMs, what, intervalMs: 100, detail: () => `screen was:\n${last}` },
    );
  }

  kill(): void {
    spawnSync('tmux', ['-L', this.socket, 'kill-server'], { stdio: 'ignore' });
  }
}
