import {
  ensureEventStream,
  EVENT_STREAM,
  silentLogger,
  type EventStreamSettings,
  type Logger,
} from '@rigbench/shared';
import { jetstream, jetstreamManager, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { RunStore } from '../store/run-store.js';
import type { IngestResult } from '../store/store-types.js';
import { createBatchSink, type BatchSink } from './batch-sink.js';
import { ensureDurableConsumer, type DurableConsumerOptions } from './event-stream.js';

export type CollectorState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** Running totals of one collector, since it started. */
export interface CollectorStats {
  /** Messages taken from the stream (redeliveries included). */
  received: number;
  stored: number;
  duplicates: number;
  quarantined: number;
  /** SQLite transactions committed. */
  batches: number;
  /** Batches whose transaction failed; their messages were nak'ed for redelivery. */
  failedBatches: number;
}

export interface EventCollectorOptions extends DurableConsumerOptions {
  nc: NatsConnection;
  store: RunStore;
  /** Most messages per SQLite transaction. */
  batchSize: number;
  logger?: Logger;
  /** The event stream as created when missing (default settings otherwise); an existing one is left as it is. */
  stream?: EventStreamSettings;
  /** Called after each committed batch (progress displays). */
  onBatch?: (stats: Readonly<CollectorStats>) => void;
  /**
   * Where parsing and SQLite writes happen: a worker thread (`auto` picks it for file stores when the compiled
   * worker exists) or this thread.
   */
  writer?: 'auto' | 'worker' | 'inline';
}

/**
 * Reads the event stream through the shared durable pull consumer and writes it into the store: parsed events
 * in batched transactions, acked only after the transaction commits (a crash before the commit means
 * redelivery, and redelivery is harmless because the store ignores events it already holds). Unparseable
 * messages go to the quarantine and are acked; nothing stops the loop but {@link stop}.
 */
export class EventCollector {
  private stateValue: CollectorState = 'idle';
  private messages: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private batch: JsMsg[] = [];
  private flushScheduled = false;
  private sink: BatchSink | undefined;
  private inFlightBatches = 0;
  private inFlightMessages = 0;
  private idleWaiters: Array<() => void> = [];
  private readonly log: Logger;
  /** When the last batch was committed to the store (ms since the epoch); null before the first. */
  lastBatchAtMs: number | null = null;
  readonly stats: CollectorStats = {
    received: 0,
    stored: 0,
    duplicates: 0,
    quarantined: 0,
    batches: 0,
    failedBatches: 0,
  };

  constructor(private readonly options: EventCollectorOptions) {
    this.log = options.logger ?? silentLogger;
  }

  get state(): CollectorState {
    return this.stateValue;
  }

  /** Ensures the stream and the durable consumer, then consumes in the background. */
  async start(): Promise<void> {
    if (this.stateValue !== 'idle') throw new Error(`collector cannot start from state ${this.stateValue}`);
    this.stateValue = 'starting';
    try {
      this.sink = createBatchSink(this.options.store, this.options.writer);
      const jsm = await jetstreamManager(this.options.nc);
      await ensureEventStream(jsm, this.options.stream ?? {}, this.log);
      await ensureDurableConsumer(jsm, this.options);
      const consumer = await jetstream(this.options.nc).consumers.get(EVENT_STREAM, this.options.durableName);
      // A synchronous callback rather than an async iterator: no promise per message at tens of thousands a second.
      this.messages = await consumer.consume({
        // Several batches' worth outstanding, so the server keeps delivering while a batch is being written.
        max_messages: Math.min(this.options.maxAckPending, Math.max(this.options.batchSize * 5, 256)),
        callback: (msg) => this.receive(msg),
      });
    } catch (error) {
      this.stateValue = 'failed';
      await this.sink?.close();
      throw error;
    }
    this.stateValue = 'running';
    this.log.info('collector started', { durable: this.options.durableName });
    this.loop = this.messages.closed().then(
      (error) => {
        if (error) this.log.error('collector consume ended', { error: error.message });
      },
      (error: unknown) => this.log.error('collector consume ended', { error: (error as Error).message }),
    );
  }

  private receive(msg: JsMsg): void {
    this.batch.push(msg);
    if (this.batch.length >= this.options.batchSize) this.flush();
    else if (!this.flushScheduled) {
      // Messages already buffered by the client arrive in the same turn; flush once they are drained.
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /**
   * Hands pending messages to the sink in batches (as many at once as it takes), acking each batch after its
   * commit or nak'ing it for redelivery when the write failed.
   */
  private flush(): void {
    this.flushScheduled = false;
    const sink = this.sink;
    if (!sink) return;
    while (this.batch.length > 0 && this.inFlightBatches < sink.parallelism) {
      const msgs = this.batch.splice(0, this.options.batchSize);
      this.inFlightBatches += 1;
      this.inFlightMessages += msgs.length;
      this.stats.received += msgs.length;

      sink
        .write(EVENT_STREAM, msgs)
        .then(
          (result) => this.committed(msgs, result),
          (error: unknown) => this.rolledBack(msgs, error as Error),
        )
        .finally(() => {
          this.inFlightBatches -= 1;
          this.inFlightMessages -= msgs.length;
          if (this.batch.length > 0) this.flush();
          else if (this.inFlightBatches === 0) for (const wake of this.idleWaiters.splice(0)) wake();
        });
    }
  }

  private committed(msgs: readonly JsMsg[], result: IngestResult): void {
    this.stats.stored += result.stored;
    this.stats.duplicates += result.duplicates;
    this.stats.quarantined += result.quarantined;
    this.stats.batches += 1;
    this.lastBatchAtMs = Date.now();
    if (result.quarantined > 0) this.log.warn('events quarantined', { count: result.quarantined });
    for (const msg of msgs) msg.ack();
    this.options.onBatch?.(this.stats);
  }

  private rolledBack(msgs: readonly JsMsg[], error: Error): void {
    this.stats.failedBatches += 1;
    this.log.error('store write failed; events will be redelivered', {
      error: error.message,
      events: msgs.length,
    });
    for (const msg of msgs) msg.nak(1000);
  }

  /** Resolves when nothing is waiting to be written or being written. */
  private idle(): Promise<void> {
    if (this.batch.length === 0 && this.inFlightBatches === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Messages neither delivered nor acknowledged yet for this durable consumer (0 = caught up). */
  async backlog(): Promise<number> {
    const jsm = await jetstreamManager(this.options.nc);
    const info = await jsm.consumers.info(EVENT_STREAM, this.options.durableName);
    return info.num_pending + info.num_ack_pending + this.batch.length + this.inFlightMessages;
  }

  /** Stops consuming, writes and acks what was received, and waits for the loop to end. */
  async stop(): Promise<void> {
    if (this.stateValue !== 'running') {
      if (this.stateValue === 'idle') this.stateValue = 'stopped';
      return;
    }
    this.stateValue = 'draining';
    await this.messages?.close();
    await this.loop;
    this.flush();
    await this.idle();
    await this.sink?.close();
    // Acks are plain publishes; flushing makes sure they reached the server before the caller closes NATS.
    await this.options.nc.flush().catch(() => undefined);
    this.stateValue = 'stopped';
    this.log.info('collector stopped', { ...this.stats });
  }
}
