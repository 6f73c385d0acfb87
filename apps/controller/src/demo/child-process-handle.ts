import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { DemoProcessError } from './demo-errors.js';

const TAIL_BYTES = 16 * 1024;

/**
 * A child process the demo owns: its last output is kept for error messages, and {@link stop} always ends it
 * (SIGTERM, then SIGKILL after a grace period) so Ctrl-C never leaves a process behind.
 */
export class ChildProcessHandle {
  private tail = '';
  private readonly exited: Promise<void>;

  private constructor(
    readonly name: string,
    readonly child: ChildProcess,
  ) {
    const keep = (chunk: Buffer): void => {
      this.tail = (this.tail + chunk.toString('utf8')).slice(-TAIL_BYTES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });
  }

  /** Spawns `command`; a missing binary rejects with `onMissing()`'s error. */
  static async spawn(
    name: string,
    command: string,
    args: readonly string[],
    options: SpawnOptions,
    onMissing: () => Error,
  ): Promise<ChildProcessHandle> {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (error: NodeJS.ErrnoException) =>
        reject(error.code === 'ENOENT' ? onMissing() : error),
      );
    });
    return new ChildProcessHandle(name, child);
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines the process printed, for error messages. */
  lastOutput(lines = 12): string {
    return this.tail.trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Resolves with the first stdout line `match` accepts; rejects when the process exits or time runs out. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number, signal: AbortSignal): Promise<T> {
    return new Promise((resolve, reject) => {
      let buffered = '';
      const cleanup = (): void => {
        clearTimeout(timer);
        this.child.stdout?.off('data', onData);
        this.child.off('exit', onExit);
        signal.removeEventListener('abort', onAbort);
      };
      const fail = (why: string): void => {
        cleanup();
        reject(new DemoProcessError(`${this.name} ${why}; its last output:\n${this.lastOutput()}`));
      };
      const onData = (chunk: Buffer): void => {
        buffered += chunk.toString('utf8');
        let newline: number;
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const found = match(buffered.slice(0, newline));
          buffered = buffered.slice(newline + 1);
          if (found !== undefined) {
            cleanup();
            resolve(found);
            return;
          }
        }
      };
      const onExit = (): void => fail('exited before it was ready');
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const timer = setTimeout(() => fail(`was not ready after ${timeoutMs / 1000} s`), timeoutMs);
      this.child.stdout?.on('data', onData);
      this.child.once('exit', onExit);
      signal.addEventListener('abort', onAbort, { once: true });
      if (!this.running) onExit();
    });
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
