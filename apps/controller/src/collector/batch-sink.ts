import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { RunStore } from '../store/run-store.js';
import type { IngestResult } from '../store/store-types.js';
import { toIngestItem, type RawEventMessage } from './ingest-item.js';
import type { IngestReply, IngestRequest } from './ingest-protocol.js';

/** Where the collector's batches go: parsed and written in one transaction each, in the order given. */
export interface BatchSink {
  /** Resolves once the batch is committed; rejects when it was rolled back. */
  write(stream: string, messages: readonly RawEventMessage[]): Promise<IngestResult>;
  /** Batches that may be in flight at once (1: the next waits for the previous). */
  readonly parallelism: number;
  close(): Promise<void>;
}

/** Parses and writes on the calling thread. */
export class InlineSink implements BatchSink {
  readonly parallelism = 1;
  constructor(private readonly store: RunStore) {}

  write(stream: string, messages: readonly RawEventMessage[]): Promise<IngestResult> {
    try {
      return Promise.resolve(this.store.ingest(messages.map((m) => toIngestItem(stream, m))));
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  async close(): Promise<void> {}
}

/** The store's write failed in the ingest worker (the batch was rolled back). */
export class IngestWorkerError extends Error {
  override name = 'IngestWorkerError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/**
 * Parses and writes on a worker thread with its own connection to the store file, so NATS traffic and acks on
 * the main thread overlap with JSON parsing and SQLite. Payloads travel packed in one transferred buffer.
 */
export class WorkerSink implements BatchSink {
  readonly parallelism = 4;
  private readonly worker: Worker;
  private readonly pending = new Map<
    number,
    { resolve: (r: IngestResult) => void; reject: (e: Error) => void }
  >();
  private nextId = 1;
  private failure: Error | undefined;
  private readonly exited: Promise<void>;

  constructor(workerFile: string, storePath: string) {
    this.worker = new Worker(workerFile, { workerData: { storePath } });
    this.worker.on('message', (reply: IngestReply) => {
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiter?.reject(new IngestWorkerError(reply.error));
      else waiter?.resolve(reply.result);
    });
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) =>
      this.worker.once('exit', (code) => {
        this.fail(new IngestWorkerError(`ingest worker exited with code ${code}`));
        resolve();
      }),
    );
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.values()) waiter.reject(error);
    this.pending.clear();
  }

  write(stream: string, messages: readonly RawEventMessage[]): Promise<IngestResult> {
    if (this.failure) return Promise.reject(this.failure);
    let total = 0;
    for (const m of messages) total += m.data.byteLength;
    const buffer = new ArrayBuffer(total);
    const bytes = new Uint8Array(buffer);
    const offsets = new Array<number>(messages.length + 1);
    let at = 0;
    messages.forEach((m, i) => {
      offsets[i] = at;
      bytes.set(m.data, at);
      at += m.data.byteLength;
    });
    offsets[messages.length] = at;
    const request: IngestRequest = {
      id: this.nextId++,
      stream,
      subjects: messages.map((m) => m.subject),
      seqs: messages.map((m) => m.seq),
      offsets,
      buffer,
    };
    return new Promise<IngestResult>((resolve, reject) => {
      this.pending.set(request.id, { resolve, reject });
      this.worker.postMessage(request, [buffer]);
    });
  }

  async close(): Promise<void> {
    if (!this.failure) this.worker.postMessage('close');
    await this.exited;
  }
}

/** The compiled worker module beside this one; absent when running from TypeScript sources (jest). */
const WORKER_FILE = fileURLToPath(new URL('./ingest-worker.js', import.meta.url));

/**
 * The sink for a collector. `worker` needs a file store (`:memory:` cannot be shared across threads) and the
 * compiled worker module (absent under jest, which runs the TypeScript sources); `auto` picks the worker only
 * with 4 or more CPUs: measured on 2 CPUs, nats-server and the NATS thread already use both, and the worker
 * only adds hand-over cost.
 */
export function createBatchSink(store: RunStore, mode: 'auto' | 'worker' | 'inline' = 'auto'): BatchSink {
  const workerPossible = store.path !== ':memory:' && existsSync(WORKER_FILE);
  if (mode === 'worker') {
    if (!workerPossible) {
      throw new Error(`ingest worker unavailable (store ${store.path}, worker module ${WORKER_FILE})`);
    }
    return new WorkerSink(WORKER_FILE, store.path);
  }
  if (mode === 'auto' && workerPossible && availableParallelism() >= 4) {
    return new WorkerSink(WORKER_FILE, store.path);
  }
  return new InlineSink(store);
}
