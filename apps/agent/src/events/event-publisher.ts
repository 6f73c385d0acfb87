/**
 * Publishes the agent's events to JetStream through the durable {@link EventOutbox}.
 *
 * `publish(event)` only writes the event to the outbox; the {@link PubAckPump} sends outbox entries in order, many
 * in flight at once, and removes each entry when its JetStream ack arrives. On an ack timeout, an error reply or a
 * reconnect the pump waits (exponential backoff), then resends every unacknowledged entry from the oldest one on
 * with the same message id, so JetStream's duplicate window turns at-least-once sending into exactly-once storage.
 * In normal operation the stream order is the outbox order (one connection keeps publish order); after a
 * failure a resent event may land after later ones, which is why every event carries its `seq`.
 *
 * What exactly-once rests on: JetStream drops a repeated `Nats-Msg-Id` only inside the stream's duplicate window
 * (default here 5 minutes), counted from when the first copy was stored. An event that was stored but whose ack
 * never arrived (NATS or the agent died in between) is resent after the outage; when that outage outlasts the
 * window, the stream can hold it twice (at most `maxInFlight` events per outage). Consumers therefore also
 * de-duplicate on `(runId, agentId, seq)`.
 *
 * The parts: `nats-reconnect.ts` keeps the connection (backoff, status), `ensureEventStream` of @rigbench/shared
 * provisions the stream (errors classified by JetStream API code), `puback-pump.ts` sends and tracks acks; this
 * class owns the lifecycle, the outbox and the events it emits. An event over the server's `max_payload` is
 * refused at `publish()`.
 */
import { EventEmitter } from 'node:events';
import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection, NodeConnectionOptions } from '@nats-io/transport-node';
import {
  agentInboxPrefix,
  eventMessageId,
  eventStreamConfig,
  eventSubject,
  ensureEventStream,
  natsConnectOptions,
  silentLogger,
  type EventStreamSettings,
  type Logger,
  type RigbenchEvent,
} from '@rigbench/shared';
import { EventTooLargeError, PublisherStateError, PublishRejectedError } from './event-errors.js';
import { EventOutbox, type OutboxUsage } from './event-outbox.js';
import type {
  EventPublisherEvents,
  EventPublisherOptions,
  EventPublisherState,
  EventPublisherStopResult,
} from './event-publisher-types.js';
import { keepConnected } from './nats-reconnect.js';
import { PubAckPump } from './puback-pump.js';

/** Bytes of `max_payload` kept for the headers (`Nats-Msg-Id`, `Nats-Expected-Stream`) of an event. */
export const EVENT_HEADER_RESERVE_BYTES = 1024;
const NATS_DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/** Durable, pipelined JetStream event publisher; see the module documentation. */
export class EventPublisher extends EventEmitter<EventPublisherEvents> {
  private readonly options: EventPublisherOptions;
  private readonly log: Logger;
  private readonly streamSettings: EventStreamSettings;
  private readonly streamName: string;

  private currentState: EventPublisherState = 'idle';
  private outbox: EventOutbox | undefined;
  private pump: PubAckPump | undefined;
  private nc: NatsConnection | undefined;
  private connected = false;
  private streamReady = false;
  private readonly abort = new AbortController();
  private connectLoop: Promise<void> | undefined;

  private ackedSinceEmit = 0;
  private emitScheduled = false;
  private readonly drainWaiters = new Set<(drained: boolean) => void>();
  private stopping: Promise<EventPublisherStopResult> | undefined;

  constructor(options: EventPublisherOptions) {
    super();
    if (options.agentId === '' || /[.*>\s]/.test(options.agentId)) {
      throw new TypeError(`agentId '${options.agentId}' must be a single NATS subject token`);
    }
    this.options = options;
    this.streamSettings = options.stream ?? {};
    // Checks the stream settings (the duplicate window) now rather than at the first connection.
    this.streamName = eventStreamConfig(this.streamSettings).name;
    this.log = options.logger ?? silentLogger;
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
    // Replies (PubAcks, JetStream API answers) come to this agent's own inbox, which a per-agent NATS user may
    // read while other agents may not (deploy/nats/agent-user.sh).
    const inboxPrefix = agentInboxPrefix(this.options.agentId);
    let outbox: EventOutbox;
    let connectOptions: NodeConnectionOptions;
    try {
      // First: an unreadable seed or creds file fails the start, naming the key.
      connectOptions = natsConnectOptions(this.options.nats, {
        name: `rigbench-agent-${this.options.agentId}`,
        inboxPrefix,
      });
      outbox = await EventOutbox.open({
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
    this.outbox = outbox;
    const pump = new PubAckPump({
      outbox,
      streamName: this.streamName,
      maxInFlight: this.options.maxInFlight ?? 2048,
      ackTimeoutMs: this.options.ackTimeoutMs ?? 5_000,
      retryInitialMs: this.options.retryInitialMs ?? 100,
      retryMaxMs: this.options.retryMaxMs ?? 5_000,
      log: this.log,
      hooks: {
        canSend: () =>
          this.connected &&
          this.streamReady &&
          (this.currentState === 'running' || this.currentState === 'draining'),
        maxEventBytes: () => this.maxEventBytes(),
        progressed: (acked) => {
          this.ackedSinceEmit += acked;
          this.scheduleEmit();
        },
        failed: (error) => this.emit('publishError', error),
        streamMissing: () => {
          // A missing stream (e.g. a server that lost its store) is re-created before the resend.
          this.streamReady = false;
        },
        resume: () => {
          if (this.streamReady) this.pump?.schedule();
          else void this.provisionThenSend();
        },
      },
    });
    this.pump = pump;
    outbox.on('durable', () => {
      pump.schedule();
      this.scheduleEmit();
    });
    outbox.on('compacted', () => this.scheduleEmit());
    outbox.on('warning', (usage) => this.emit('outboxWarning', usage));
    outbox.on('rejected', (error) => this.emit('outboxFull', error));
    this.currentState = 'running';
    this.scheduleEmit();
    signal?.addEventListener('abort', () => void this.stop({ timeoutMs: 0 }), { once: true });
    this.connectLoop = this.runConnection(pump, connectOptions, inboxPrefix);
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
    this.pump?.stop();
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

  // ---- connection and provisioning ---------------------------------------------------------------------------

  /** Keeps a connection until stopped; each new or restored connection provisions the stream, then sends. */
  private runConnection(
    pump: PubAckPump,
    connectOptions: NodeConnectionOptions,
    inboxPrefix: string,
  ): Promise<void> {
    return keepConnected({
      connectOptions,
      retryInitialMs: this.options.retryInitialMs ?? 100,
      retryMaxMs: this.options.retryMaxMs ?? 5_000,
      signal: this.abort.signal,
      log: this.log,
      handlers: {
        connected: (nc) => {
          this.nc = nc;
          pump.attach(nc, inboxPrefix);
          this.onConnected();
        },
        reconnected: () => this.onConnected(),
        disconnected: () => this.setConnected(false),
        permissionViolation: (error) => pump.onPermissionViolation(error),
      },
    });
  }

  private onConnected(): void {
    this.setConnected(true);
    this.streamReady = false;
    // Whatever was in flight when the connection dropped may or may not be stored: resend it all (de-duplicated).
    this.pump?.rewind();
    void this.provisionThenSend();
  }

  private setConnected(connected: boolean): void {
    if (this.connected === connected) return;
    this.connected = connected;
    this.emit('connection', connected);
  }

  /** Makes sure the stream exists (creating it when missing), then lets the pump send. */
  private async provisionThenSend(): Promise<void> {
    const nc = this.nc;
    if (!nc || !this.connected) return;
    try {
      await ensureEventStream(await jetstreamManager(nc), this.streamSettings, this.log);
      this.streamReady = true;
      this.pump?.schedule();
    } catch (error) {
      this.pump?.fail(
        new PublishRejectedError(`cannot create or read stream ${this.streamName}: ${String(error)}`, {
          cause: error,
        }),
      );
    }
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
