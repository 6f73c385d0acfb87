import type { RigbenchEvent } from '@rigbench/shared';

/**
 * The events of one run in memory, in `seq` order, with waiters for the next one: what WatchRun reads.
 * Events are appended only after the publisher made them durable, so a watcher never sees an event that a
 * crash could lose.
 */
export class RunLog {
  readonly #events: RigbenchEvent[] = [];
  #waiters: Array<() => void> = [];
  #closed = false;

  constructor(readonly runId: string) {}

  /** True once `run.finished` (or a final close) was appended. */
  get closed(): boolean {
    return this.#closed;
  }

  get length(): number {
    return this.#events.length;
  }

  append(event: RigbenchEvent): void {
    if (this.#closed) throw new Error(`RunLog ${this.runId}: append after close`);
    this.#events.push(event);
    if (event.type === 'run.finished') this.#closed = true;
    this.#wake();
  }

  /** Ends every watcher's stream even though no `run.finished` came (agent stopping). */
  close(): void {
    this.#closed = true;
    this.#wake();
  }

  /** Every event with `seq >= fromSeq`, then new ones as they come; ends after `run.finished` or on abort. */
  async *watch(fromSeq: number, signal?: AbortSignal): AsyncGenerator<RigbenchEvent> {
    // seq is 1-based and gap-free, so the index of seq s is s - 1.
    let index = Math.max(0, fromSeq - 1);
    for (;;) {
      while (index < this.#events.length) {
        if (signal?.aborted) return;
        yield this.#events[index++] as RigbenchEvent;
      }
      if (this.#closed || signal?.aborted) return;
      await new Promise<void>((resolve) => {
        const onAbort = (): void => resolve();
        signal?.addEventListener('abort', onAbort, { once: true });
        this.#waiters.push(() => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        });
      });
    }
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
