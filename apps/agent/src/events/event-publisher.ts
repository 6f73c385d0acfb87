/**
 * Publishes the agent's events to JetStream through the durable {@link EventOutbox}.
 *
 * `publish(event)` only writes the event to the outbox; a pump sends outbox entries in order, many in flight at
 * once, and removes each entry when its JetStream ack arrives. On an ack timeout, an error reply or a reconnect
 * the pump waits (exponential backoff), then resends every unacknowledged entry from the oldest one on with the
 * same message id, so JetStream's duplicate window turns at-least-once sending into exactly-once storage.
 * In normal operation the stream order is the outbox order (one connection keeps publish order); after a
 * failure a resent event may land after later ones, which is why every event carries its `seq`.
 *
 * What exactly-once rests on: JetStream drops a repeated `Nats-Msg-Id` only inside the stream's duplicate window
 * (default here 5 minutes), counted from when the first copy was stored. An event that was stored but whose ack
 * never arrived (NATS or the agent died in between) is resent after the outage; when that outage outlasts the
 * window, the stream can hold it twice (at most `maxInFlight` events per outage). Consumers therefore also
 * de-duplicate on `(runId, agentId, seq)`.
 *
 * On the wire a JetStream publish is a core NATS publish with a `Nats-Msg-Id` header and a reply subject that
 * receives the PubAck. The pump does exactly that, with one wildcard reply subscription and one timeout sweep,
 * instead of `js.publish()`, which allocates a request, a timer and a promise per message and tops out below
 * 20,000 events/s on a 2-core box (measured ~19k/s with 1000 in flight, against ~75k/s for this pump).
 *
 * What never jams the pump: an event over the server's `max_payload` is refused at `publish()`; an entry that
 * cannot travel or that JetStream or the server's permissions refuse for good goes to the outbox's dead-letter
 * file (`deadLetter` event, `rigbench_outbox_dead_letters_total`) and delivery goes on.
 *
 * Over 400 lines: reconnect, provisioning and the PubAck pump share the connection state; issue 12 splits them.
 */
import { EventEmitter } from 'node:events';
import {
  connect,
  createInbox,
  headers,
  PermissionViolationError,
  type Msg,
  type NatsConnection,
  type Subscription,
} from '@nats-io/transport-node';
import {
  DiscardPolicy,
  jetstreamManager,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import {
  agentInboxPrefix,
  EVENT_STREAM,
  EVENT_SUBJECT_PREFIX,
  eventMessageId,
  eventSubject,
} from '@rigbench/shared';
import type { RigbenchEvent } from '@rigbench/shared';
import {
  EventTooLargeError,
  PublisherStateError,
  PublishRejectedError,
  type OutboxFullError,
} from './event-errors.js';
import { silentLogger, type EventLogger } from './event-logger.js';
import { EventOutbox, type OutboxUsage } from './event-outbox.js';
import type { DeadLetter } from './outbox-dead-letter.js';
import { natsConnectOptions, type NatsConnectionSettings } from './nats-connection.js';

/** Stream settings; the stream is created when missing and left as it is when it exists. */
export interface EventStreamSettings {
  /** Stream name (default `RIGBENCH_EVENTS`). */
  name?: string;
  /** Subjects of the stream (default `rigbench.events.>`). */
  subjects?: string[];
  /** Replicas (default 1; 3 on a three-node cluster). */
  replicas?: number;
  /** Oldest message kept, in milliseconds (default 0 = unlimited). */
  maxAgeMs?: number;
  /**
   * Stream size bound, in bytes (default -1 = unlimited). A full stream refuses new events (discard policy
   * `new`) rather than dropping old ones nobody may have read yet: refused events wait in the outbox, whose
   * capacity metric and warning then tell the operator.
   */
  maxBytes?: number;
  /** Window in which a repeated message id is dropped, in milliseconds (default 300,000; at least 120,000). */
  duplicateWindowMs?: number;
}

/** Options for {@link EventPublisher}. */
export interface EventPublisherOptions {
  /** This agent's id; `publish()` refuses events of another agent. */
  agentId: string;
  nats: NatsConnectionSettings;
  outbox: {
    dir: string;
    maxBytes: number;
    warnRatio?: number;
    segmentBytes?: number;
    maxMemoryBytes?: number;
  };
  stream?: EventStreamSettings;
  /**
   * Largest `max_payload` assumed before the first connection tells the server's, in bytes (default 1 MiB, the
   * nats-server default). Events are bounded by the smaller of this and the server's value, less
   * {@link EVENT_HEADER_RESERVE_BYTES}.
   */
  maxPayloadBytes?: number;
  /** Events sent and not yet acknowledged, at most (default 2048). */
  maxInFlight?: number;
  /** An event without ack after this long triggers a resend, in milliseconds (default 5,000). */
  ackTimeoutMs?: number;
  /** Backoff between resend rounds, in milliseconds (default 100 doubling up to 5,000). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  logger?: EventLogger;
}

export type EventPublisherState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** Events of {@link EventPublisher}, for metrics and logs. */
export interface EventPublisherEvents {
  /** JetStream acknowledged `count` events (batched per tick). */
  acked: [count: number];
  /** A publish round failed and will be retried. */
  publishError: [error: Error];
  /** The NATS connection went up (true) or down (false). */
  connection: [connected: boolean];
  /** Outbox disk use changed (batched per tick). */
  outbox: [usage: OutboxUsage];
  /** The outbox crossed its warning level. */
  outboxWarning: [usage: OutboxUsage];
  /** An event was refused because the outbox is full. */
  outboxFull: [error: OutboxFullError];
  /** An outbox entry went to the dead-letter file (corrupt, too large, refused for good); delivery goes on. */
  deadLetter: [letter: Omit<DeadLetter, 'data'>];
}

/** What `stop()` reports. */
export interface EventPublisherStopResult {
  /** True when every event was acknowledged before the connection closed. */
  flushed: boolean;
  /** Events left in the outbox; they are sent after the next start. */
  pending: number;
}

const DUPLICATE_WINDOW_MIN_MS = 120_000;
/**
 * JetStream errors (`err_code`) no resend can cure, for this message: 10054 message larger than the stream's
 * max_msg_size.
 * Such an entry goes to the dead-letter file instead of stopping every event behind it.
 */
const PERMANENT_JETSTREAM_ERRORS: ReadonlySet<number> = new Set([10054]);
/** Resend rounds a publish permission violation on one subject survives before its entries are dead-lettered. */
const PERMISSION_ROUNDS = 3;
/** Bytes of `max_payload` kept for the headers (`Nats-Msg-Id`, `Nats-Expected-Stream`) of an event. */
export const EVENT_HEADER_RESERVE_BYTES = 1024;
const NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024;
const ERROR_KEY = Buffer.from('"error"');

/** Durable, pipelined JetStream event publisher; see the module documentation. */
export class EventPublisher extends EventEmitter<EventPublisherEvents> {
  private readonly options: EventPublisherOptions;
  private readonly log: EventLogger;
  private readonly streamName: string;
  private readonly maxInFlight: number;
  private readonly ackTimeoutMs: number;
  private readonly retryInitialMs: number;
  private readonly retryMaxMs: number;

  private currentState: EventPublisherState = 'idle';
  private outbox: EventOutbox | undefined;
  private nc: NatsConnection | undefined;
  private subscription: Subscription | undefined;
  private inbox = '';
  private connected = false;
  private streamReady = false;
  private readonly abort = new AbortController();
  private connectLoop: Promise<void> | undefined;

  /** Entry number → time sent (ms); insertion order is send order. */
  private readonly inFlight = new Map<number, number>();
  private cursor = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private retryDelayMs: number;
  private sweepTimer: NodeJS.Timeout | undefined;
  private pumpScheduled = false;
  private ackedSinceEmit = 0;
  private emitScheduled = false;
  private readonly drainWaiters = new Set<(drained: boolean) => void>();
  private stopping: Promise<EventPublisherStopResult> | undefined;
  private readonly headers = headers();
  /** Publish permission violations the server reported, by subject, since that subject last got an ack. */
  private readonly refusedSubjects = new Map<string, number>();

  constructor(options: EventPublisherOptions) {
    super();
    if (options.agentId === '' || /[.*>\s]/.test(options.agentId)) {
      throw new TypeError(`agentId '${options.agentId}' must be a single NATS subject token`);
    }
    const window = options.stream?.duplicateWindowMs ?? 300_000;
    if (window < DUPLICATE_WINDOW_MIN_MS) {
      throw new TypeError(
        `stream.duplicateWindowMs must be at least ${DUPLICATE_WINDOW_MIN_MS}, got ${window}`,
      );
    }
    this.options = options;
    this.log = options.logger ?? silentLogger;
    this.streamName = options.stream?.name ?? EVENT_STREAM;
    this.maxInFlight = options.maxInFlight ?? 2048;
    this.ackTimeoutMs = options.ackTimeoutMs ?? 5_000;
    this.retryInitialMs = options.retryInitialMs ?? 100;
    this.retryMaxMs = options.retryMaxMs ?? 5_000;
    this.retryDelayMs = this.retryInitialMs;
    this.headers.set('Nats-Expected-Stream', this.streamName);
  }

  /** Lifecycle state. */
  get state(): EventPublisherState {
    return this.currentState;
  }

  /** True while connected to NATS. */
  get isConnected(): boolean {
    return this.connected;
  }

  /**
   * Largest event JSON that can travel now, in bytes: the server's `max_payload` (from the connection's INFO,
   * or `maxPayloadBytes` before the first connection) less {@link EVENT_HEADER_RESERVE_BYTES}.
   */
  maxEventBytes(): number {
    const configured = this.options.maxPayloadBytes ?? NATS_DEFAULT_MAX_PAYLOAD;
    const server = this.nc?.info?.max_payload;
    const payload = server !== undefined && server > 0 ? Math.min(server, configured) : configured;
    return Math.max(0, payload - EVENT_HEADER_RESERVE_BYTES);
  }

  /** The NATS connection (shared with the heartbeat publisher); undefined before the first connect. */
  connection(): NatsConnection | undefined {
    return this.nc;
  }

  /**
   * Opens the outbox and starts connecting in the background; resolves once events can be published (NATS may
   * still be unreachable: events wait in the outbox). `signal` aborting stops the publisher.
   */
  async start(signal?: AbortSignal): Promise<void> {
    if (this.currentState !== 'idle')
      throw new PublisherStateError(`EventPublisher.start: already ${this.currentState}`);
    this.currentState = 'starting';
    try {
      this.outbox = await EventOutbox.open({
        ...this.options.outbox,
        logger: this.log,
        onDeadLetter: (letter) => {
          this.emit('deadLetter', letter);
          // The letter is on disk and the entry no longer pending: a flush() may be done now.
          this.scheduleEmit();
        },
      });
    } catch (error) {
      this.currentState = 'failed';
      throw error;
    }
    const outbox = this.outbox;
    outbox.on('durable', () => {
      this.schedulePump();
      this.scheduleEmit();
    });
    outbox.on('compacted', () => this.scheduleEmit());
    outbox.on('warning', (usage) => this.emit('outboxWarning', usage));
    outbox.on('rejected', (error) => this.emit('outboxFull', error));
    this.cursor = outbox.firstPendingN() ?? 0;
    this.currentState = 'running';
    this.scheduleEmit();
    signal?.addEventListener('abort', () => void this.stop({ timeoutMs: 0 }), { once: true });
    this.sweepTimer = setInterval(() => this.sweep(), Math.min(1_000, this.ackTimeoutMs / 2));
    this.sweepTimer.unref();
    this.connectLoop = this.runConnection();
  }

  /**
   * Writes the event to the outbox; resolves once it is on disk (not when JetStream acknowledged it). Throws
   * {@link EventTooLargeError} for an event larger than {@link maxEventBytes}, writing nothing.
   */
  async publish(event: RigbenchEvent): Promise<void> {
    if (this.currentState !== 'running' || !this.outbox) {
      throw new PublisherStateError(`EventPublisher.publish: publisher is ${this.currentState}, not running`);
    }
    if (event.agentId !== this.options.agentId) {
      throw new TypeError(`event.agentId '${event.agentId}' is not this agent ('${this.options.agentId}')`);
    }
    const payload = JSON.stringify(event);
    const bytes = Buffer.byteLength(payload);
    const maxBytes = this.maxEventBytes();
    // Never produced: an entry NATS cannot carry would stop the outbox behind it.
    if (bytes > maxBytes) throw new EventTooLargeError(event.type, bytes, maxBytes);
    await this.outbox.append({
      subject: eventSubject(event.agentId, event.runId),
      msgId: eventMessageId(event.runId, event.agentId, event.seq),
      payload,
    });
  }

  /** Events in the outbox not yet acknowledged by JetStream. */
  pendingCount(): number {
    return this.outbox?.pendingCount ?? 0;
  }

  /** Outbox disk use; zeros before `start()`. */
  outboxUsage(): OutboxUsage {
    return this.outbox?.usage() ?? { pending: 0, bytes: 0, ratio: 0, maxBytes: this.options.outbox.maxBytes };
  }

  /** Resolves true once every event published so far is acknowledged, false after `timeoutMs`. */
  flush(timeoutMs: number): Promise<boolean> {
    if (this.pendingCount() === 0) return Promise.resolve(true);
    if (this.currentState === 'stopped' || this.currentState === 'idle') return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean): void => {
        clearTimeout(timer);
        this.drainWaiters.delete(onDrained);
        resolve(ok);
      };
      const onDrained = (drained: boolean): void => done(drained);
      const timer = setTimeout(() => done(false), timeoutMs);
      this.drainWaiters.add(onDrained);
    });
  }

  /**
   * Stops taking events, waits up to `timeoutMs` for pending ones to be acknowledged, drains and closes the
   * connection and the outbox. What is still pending stays on disk for the next start.
   */
  stop({ timeoutMs = 5_000 }: { timeoutMs?: number } = {}): Promise<EventPublisherStopResult> {
    this.stopping ??= this.doStop(timeoutMs);
    return this.stopping;
  }

  private async doStop(timeoutMs: number): Promise<EventPublisherStopResult> {
    if (this.currentState === 'idle' || this.currentState === 'failed') {
      this.currentState = 'stopped';
      return { flushed: this.pendingCount() === 0, pending: this.pendingCount() };
    }
    this.currentState = 'draining';
    const flushed = timeoutMs > 0 && this.connected ? await this.flush(timeoutMs) : this.pendingCount() === 0;
    this.abort.abort();
    clearTimeout(this.retryTimer);
    clearInterval(this.sweepTimer);
    const nc = this.nc;
    if (nc && !nc.isClosed()) {
      try {
        if (this.connected) await withTimeout(nc.drain(), Math.max(1_000, timeoutMs));
      } catch (error) {
        this.log.warn('nats drain failed', { error: String(error) });
      }
      if (!nc.isClosed()) await nc.close();
    }
    // A connect attempt in progress (e.g. to an address that drops packets) is not waited for beyond the timeout.
    await withTimeout(
      this.connectLoop?.catch(() => undefined) ?? Promise.resolve(),
      Math.max(1_000, timeoutMs),
    );
    this.setConnected(false);
    const pending = this.pendingCount();
    await this.outbox?.close();
    this.currentState = 'stopped';
    // Nothing will be acknowledged any more: let flush() callers know now rather than at their timeout.
    for (const waiter of [...this.drainWaiters]) waiter(pending === 0);
    this.log.info('event publisher stopped', { flushed, pending });
    return { flushed, pending };
  }

  // ---- connection ---------------------------------------------------------------------------------------------

  /** Connects, re-connecting after an unexpected close, until stopped. */
  private async runConnection(): Promise<void> {
    // Replies (PubAcks, JetStream API answers) come to this agent's own inbox, which a per-agent NATS user may
    // read while other agents may not (deploy/nats/agent-user.sh).
    const inboxPrefix = agentInboxPrefix(this.options.agentId);
    const connectOptions = natsConnectOptions({
      name: `rigbench-agent-${this.options.agentId}`,
      inboxPrefix,
      ...this.options.nats,
    });
    let delay = this.retryInitialMs;
    while (!this.abort.signal.aborted) {
      let nc: NatsConnection;
      try {
        nc = await connect(connectOptions);
      } catch (error) {
        this.log.warn('nats connect failed, retrying', {
          servers: connectOptions.servers,
          error: String(error),
          delayMs: delay,
        });
        await sleep(delay, this.abort.signal);
        delay = Math.min(this.retryMaxMs, delay * 2);
        continue;
      }
      delay = this.retryInitialMs;
      if (this.abort.signal.aborted) {
        await nc.close();
        return;
      }
      this.nc = nc;
      this.inbox = createInbox(connectOptions.inboxPrefix ?? inboxPrefix);
      this.subscription = nc.subscribe(`${this.inbox}.*`, {
        callback: (error, msg) => this.onReply(error, msg),
      });
      this.log.info('nats connected', { server: nc.getServer() });
      void this.watchStatus(nc);
      this.onConnected();
      const closedWith = await nc.closed();
      this.setConnected(false);
      if (!this.abort.signal.aborted) {
        this.log.warn('nats connection closed, reconnecting', {
          error: closedWith ? String(closedWith) : undefined,
        });
      }
    }
  }

  private async watchStatus(nc: NatsConnection): Promise<void> {
    for await (const status of nc.status()) {
      if (status.type === 'error' && status.error instanceof PermissionViolationError) {
        this.onPermissionViolation(status.error);
      } else if (status.type === 'disconnect') {
        this.log.warn('nats disconnected', { server: status.server });
        this.setConnected(false);
      } else if (status.type === 'reconnect') {
        this.log.info('nats reconnected', { server: status.server });
        this.onConnected();
      }
    }
  }

  private onConnected(): void {
    this.setConnected(true);
    this.streamReady = false;
    // Whatever was in flight when the connection dropped may or may not be stored: resend it all (de-duplicated).
    this.rewind();
    void this.ensureStreamThenPump();
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.emit('connection', connected);
  }

  private async ensureStreamThenPump(): Promise<void> {
    const nc = this.nc;
    if (!nc || !this.connected) return;
    try {
      await this.ensureStream(await jetstreamManager(nc));
      this.streamReady = true;
      this.schedulePump();
    } catch (error) {
      this.fail(
        new PublishRejectedError(`cannot create or read stream ${this.streamName}: ${String(error)}`, {
          cause: error,
        }),
      );
    }
  }

  private async ensureStream(jsm: JetStreamManager): Promise<void> {
    try {
      await jsm.streams.info(this.streamName);
      return;
    } catch (error) {
      if (!/stream not found/i.test(String(error))) throw error;
    }
    const settings = this.options.stream ?? {};
    const config: Partial<StreamConfig> & { name: string } = {
      name: this.streamName,
      subjects: settings.subjects ?? [`${EVENT_SUBJECT_PREFIX}.>`],
      storage: StorageType.File,
      num_replicas: settings.replicas ?? 1,
      max_age: msToNanos(settings.maxAgeMs ?? 0),
      max_bytes: settings.maxBytes ?? -1,
      discard: DiscardPolicy.New,
      duplicate_window: msToNanos(settings.duplicateWindowMs ?? 300_000),
    };
    await jsm.streams.add(config);
    this.log.info('created event stream', {
      stream: this.streamName,
      subjects: config.subjects,
      replicas: config.num_replicas,
    });
  }

  // ---- pump ---------------------------------------------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const nc = this.nc;
    const outbox = this.outbox;
    if (!nc || !outbox || !this.connected || !this.streamReady || this.retryTimer) return;
    if (this.currentState !== 'running' && this.currentState !== 'draining') return;
    while (this.inFlight.size < this.maxInFlight) {
      const entries = outbox.read(this.cursor, Math.min(256, this.maxInFlight - this.inFlight.size));
      if (entries.length === 0) break;
      const now = Date.now();
      const maxBytes = this.maxEventBytes();
      for (const entry of entries) {
        if (entry.data.byteLength > maxBytes) {
          // Written before the server's limit was known (or lowered since): it can never be sent, and waiting
          // for it would stop every event behind it.
          outbox.deadLetter(
            entry.n,
            'too-large',
            `${entry.data.byteLength} bytes; the server takes events of at most ${maxBytes} bytes (max_payload)`,
          );
          this.cursor = entry.n + 1;
          this.scheduleEmit();
          continue;
        }
        // One header object for all: nats.js encodes headers synchronously inside publish().
        this.headers.set('Nats-Msg-Id', entry.msgId);
        try {
          nc.publish(entry.subject, entry.data, { reply: `${this.inbox}.${entry.n}`, headers: this.headers });
        } catch (error) {
          this.fail(error as Error);
          return;
        }
        this.inFlight.set(entry.n, now);
        this.cursor = entry.n + 1;
      }
    }
  }

  private onReply(error: Error | null, msg: Msg): void {
    if (error) {
      this.fail(error);
      return;
    }
    const n = Number(msg.subject.slice(this.inbox.length + 1));
    if (msg.headers?.hasError || msg.data.length === 0) {
      const code = msg.headers?.code ?? 0;
      this.fail(
        new PublishRejectedError(
          `JetStream refused event ${n}: ${code} ${msg.headers?.description ?? 'empty reply'}`,
        ),
      );
      return;
    }
    // A PubAck is `{"stream":…,"seq":…}`; only replies that mention an error are worth a JSON parse.
    if (Buffer.from(msg.data.buffer, msg.data.byteOffset, msg.data.byteLength).includes(ERROR_KEY)) {
      let reply: { error?: { code?: number; err_code?: number; description?: string } } = {};
      try {
        reply = msg.json();
      } catch (parseError) {
        this.fail(new PublishRejectedError(`unreadable JetStream ack for event ${n}`, { cause: parseError }));
        return;
      }
      if (reply.error && PERMANENT_JETSTREAM_ERRORS.has(reply.error.err_code ?? 0)) {
        this.inFlight.delete(n);
        this.outbox?.deadLetter(
          n,
          'refused',
          `JetStream refused it for good: ${reply.error.err_code} ${reply.error.description}`,
        );
        this.scheduleEmit();
        this.schedulePump();
        return;
      }
      if (reply.error) {
        this.fail(
          new PublishRejectedError(
            `JetStream refused event ${n}: ${reply.error.code} ${reply.error.description}`,
          ),
        );
        return;
      }
    }
    this.inFlight.delete(n);
    if (this.outbox?.ack(n)) {
      this.ackedSinceEmit += 1;
      this.retryDelayMs = this.retryInitialMs;
      this.scheduleEmit();
    }
    this.schedulePump();
  }

  /**
   * The server refused a publish on a subject this user may not use. A permission granted later (a reload of the
   * server's config) would cure it, so the first rounds are retried; after {@link PERMISSION_ROUNDS} the pending
   * entries of that subject go to the dead-letter file and the rest of the outbox moves on.
   */
  private onPermissionViolation(error: PermissionViolationError): void {
    if (error.operation !== 'publish' || !error.subject) return;
    const rounds = (this.refusedSubjects.get(error.subject) ?? 0) + 1;
    this.refusedSubjects.set(error.subject, rounds);
    this.log.error('nats refused publishing on a subject (permissions)', { subject: error.subject, rounds });
    if (rounds < PERMISSION_ROUNDS || !this.outbox) return;
    this.refusedSubjects.delete(error.subject);
    for (const entry of this.outbox.read(0, Number.MAX_SAFE_INTEGER)) {
      if (entry.subject !== error.subject) continue;
      this.inFlight.delete(entry.n);
      this.outbox.deadLetter(entry.n, 'refused', `NATS permissions: ${error.message}`);
    }
    this.rewind();
    this.scheduleEmit();
    this.schedulePump();
  }

  /** Finds events waiting longer than the ack timeout. */
  private sweep(): void {
    const oldest = this.inFlight.values().next();
    if (!oldest.done && Date.now() - oldest.value > this.ackTimeoutMs) {
      this.fail(new PublishRejectedError(`no JetStream ack within ${this.ackTimeoutMs} ms`));
    }
  }

  /** Pauses the pump, then resends everything unacknowledged after a backoff. */
  private fail(error: Error): void {
    if (this.retryTimer || this.abort.signal.aborted) return;
    this.emit('publishError', error);
    const delay = this.retryDelayMs;
    this.retryDelayMs = Math.min(this.retryMaxMs, this.retryDelayMs * 2);
    this.log.warn('event publish failed, resending', {
      error: error.message,
      delayMs: delay,
      pending: this.pendingCount(),
    });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.rewind();
      if (this.streamReady) this.schedulePump();
      else void this.ensureStreamThenPump();
    }, delay);
    this.retryTimer.unref();
    // A missing stream (e.g. a server that lost its store) is re-created before the resend.
    if (/503|no responders|stream not found/i.test(error.message)) this.streamReady = false;
  }

  private rewind(): void {
    this.inFlight.clear();
    this.cursor = this.outbox?.firstPendingN() ?? this.cursor;
  }

  private scheduleEmit(): void {
    if (this.emitScheduled) return;
    this.emitScheduled = true;
    setImmediate(() => {
      this.emitScheduled = false;
      if (this.ackedSinceEmit > 0) {
        const count = this.ackedSinceEmit;
        this.ackedSinceEmit = 0;
        this.emit('acked', count);
      }
      if (this.outbox) this.emit('outbox', this.outbox.usage());
      if (this.pendingCount() === 0) {
        for (const waiter of [...this.drainWaiters]) waiter(true);
      }
    });
  }
}

function msToNanos(ms: number): number {
  return ms * 1_000_000;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
