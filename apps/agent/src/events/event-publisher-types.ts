/** The option and event types of `EventPublisher` (event-publisher.ts). */
import type { EventStreamSettings, Logger, NatsConnectionSettings } from '@rigbench/shared';
import type { OutboxFullError } from './event-errors.js';
import type { OutboxUsage } from './event-outbox.js';
import type { DeadLetter } from './outbox-dead-letter.js';

/** Options for `EventPublisher`. */
export interface EventPublisherOptions {
  /** This agent's id; `publish()` refuses events of another agent. */
  agentId: string;
  /** How to reach NATS: the agent's compiled `nats` config, or any part of it with `servers`. */
  nats: NatsConnectionSettings;
  outbox: {
    dir: string;
    maxBytes: number;
    warnRatio?: number;
    segmentBytes?: number;
    maxMemoryBytes?: number;
  };
  /** The event stream as created when missing; an existing stream is left as it is. */
  stream?: EventStreamSettings;
  /**
   * Largest `max_payload` assumed before the first connection tells the server's, in bytes (default 1 MiB, the
   * nats-server default). Events are bounded by the smaller of this and the server's value, less
   * `EVENT_HEADER_RESERVE_BYTES`.
   */
  maxPayloadBytes?: number;
  /** Events sent and not yet acknowledged, at most (default 2048). */
  maxInFlight?: number;
  /** An event without ack after this long triggers a resend, in milliseconds (default 5,000). */
  ackTimeoutMs?: number;
  /** Backoff between resend rounds, in milliseconds (default 100 doubling up to 5,000). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  logger?: Logger;
}

export type EventPublisherState = 'idle' | 'starting' | 'running' | 'draining' | 'stopped' | 'failed';

/** Events of `EventPublisher`, for metrics and logs. */
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
