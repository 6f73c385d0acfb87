/**
 * One worker child process seen from the engine: typed requests in, typed replies out, the last stderr lines kept
 * for crash reports, and a single way to wait for the next reply that also watches for exit, abort and deadline.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import type { ParentMessage, WorkerMessage } from './worker-protocol.js';
import { WorkerCrashedError } from './engine-errors.js';

/** Stderr lines kept for the crash report. */
const STDERR_TAIL_LINES = 12;
/** Longest delay `setTimeout` honours, in ms. */
const MAX_TIMER_MS = 2_147_483_647;

export type WorkerState = 'running' | 'exited';

/** Why `next` stopped waiting: the caller maps these to its own errors. */
export type WaitInterruption = 'aborted' | 'deadline';

export class WaitInterruptedError extends Error {
  override name = 'WaitInterruptedError';
  constructor(
    readonly why: WaitInterruption,
    options?: ErrorOptions,
  ) {
    super(`waiting for the worker stopped: ${why}`, options);
  }
}

export class WorkerProcess {
  state: WorkerState = 'running';
  private readonly child: ChildProcess;
  private readonly inbox: WorkerMessage[] = [];
  private readonly stderrTail: string[] = [];
  private partialLine = '';
  private wake: (() => void) | null = null;
  private crash: WorkerCrashedError | null = null;
  /** Set when the engine killed the worker on purpose, so its exit is not reported as a crash. */
  private killedOnPurpose = false;
  readonly closed: Promise<void>;

  constructor(workerPath: string, env: NodeJS.ProcessEnv) {
    this.child = fork(workerPath, [], {
      // Never inherit jest's or the agent's node flags (--experimental-vm-modules, inspectors).
      execArgv: [],
      env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      serialization: 'advanced',
    });
    this.child.stdout?.on('data', (chunk: Buffer) => this.keepStderr(chunk));
    this.child.stderr?.on('data', (chunk: Buffer) => this.keepStderr(chunk));
    this.child.on('message', (message: WorkerMessage) => {
      this.inbox.push(message);
      this.notify();
    });
    const streamEnded = (stream: NodeJS.ReadableStream | null): Promise<void> =>
      new Promise((resolve) =>
        stream == null ? resolve() : stream.once('end', resolve).once('close', resolve),
      );
    const outputsEnded = Promise.all([streamEnded(this.child.stdout), streamEnded(this.child.stderr)]);
    this.closed = new Promise((resolve) => {
      // The child's 'close' event does not come reliably once the IPC channel was disconnected, so wait for
      // 'exit' and then for stdout and stderr to end (bounded: a grandchild could hold the pipes open).
      this.child.once('exit', (code: number | null, signal: NodeJS.Signals | null) => {
        const settle = (): void => {
          if (this.state === 'exited') return;
          this.state = 'exited';
          if (this.partialLine) this.pushLine(this.partialLine);
          this.partialLine = '';
          if (!this.killedOnPurpose) this.crash = new WorkerCrashedError(code, signal, [...this.stderrTail]);
          this.notify();
          resolve();
        };
        const timer = setTimeout(settle, 1000);
        void outputsEnded.then(() => {
          clearTimeout(timer);
          settle();
        });
      });
    });
    // A spawn failure (ENOENT, EACCES) emits 'error' and no 'exit'.
    this.child.on('error', (error) => {
      this.pushLine(`spawn error: ${error.message}`);
      if (this.child.pid == null) this.child.emit('exit', null, null);
    });
  }

  /** Process id of the worker (for tests and logs). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: ParentMessage): void {
    if (this.state !== 'running' || !this.child.connected) return;
    this.child.send(message);
  }

  /**
   * The next reply. Rejects with `WorkerCrashedError` when the worker exits, and with `WaitInterruptedError`
   * when `signal` aborts or `deadline` (a `performance.now()` time, in ms) passes; it never kills by itself.
   */
  async next(signal: AbortSignal, deadline: number): Promise<WorkerMessage> {
    for (;;) {
      const message = this.inbox.shift();
      if (message) return message;
      if (this.crash) throw this.crash;
      if (this.state === 'exited') throw new WorkerCrashedError(null, null, [...this.stderrTail]);
      if (signal.aborted) throw new WaitInterruptedError('aborted');
      const left = deadline - performance.now();
      if (left <= 0) throw new WaitInterruptedError('deadline');
      await new Promise<void>((resolve) => {
        // setTimeout fires at once for delays past 2^31 - 1 ms; a longer wait just loops.
        const timer = setTimeout(done, Math.min(left, MAX_TIMER_MS));
        const onAbort = (): void => done();
        signal.addEventListener('abort', onAbort, { once: true });
        function done(): void {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve();
        }
        this.wake = done;
      });
      this.wake = null;
    }
  }

  /** Kills the worker now (SIGKILL: a native decode does not stop for anything gentler) and waits for it. */
  async kill(): Promise<void> {
    if (this.state === 'exited') return;
    this.killedOnPurpose = true;
    this.child.kill('SIGKILL');
    await this.closed;
  }

  /** Lets the worker exit by closing its IPC channel; kills it if it has not gone after `graceMs`. */
  async stop(graceMs = 2000): Promise<void> {
    if (this.state === 'exited') return;
    this.killedOnPurpose = true;
    if (this.child.connected) this.child.disconnect();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.closed;
    clearTimeout(timer);
  }

  private notify(): void {
    this.wake?.();
  }

  private keepStderr(chunk: Buffer): void {
    const lines = (this.partialLine + chunk.toString('utf8')).split('\n');
    this.partialLine = lines.pop() ?? '';
    for (const line of lines) this.pushLine(line);
  }

  private pushLine(line: string): void {
    if (line.trim() === '') return;
    this.stderrTail.push(line);
    if (this.stderrTail.length > STDERR_TAIL_LINES) this.stderrTail.shift();
  }
}
