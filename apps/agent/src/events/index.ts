/** Events on JetStream: the durable outbox, the pipelined publisher and core-NATS heartbeats. */
export { EventOutbox } from './event-outbox.js';
export type { EventOutboxOptions, OutboxEntry, OutboxRecord, OutboxUsage } from './event-outbox.js';
export { EVENT_HEADER_RESERVE_BYTES, EventPublisher } from './event-publisher.js';
export type {
  EventPublisherEvents,
  EventPublisherOptions,
  EventPublisherState,
  EventPublisherStopResult,
  EventStreamSettings,
} from './event-publisher.js';
export { HeartbeatPublisher } from './heartbeat-publisher.js';
export type { ConnectionSource, HeartbeatPublisherOptions, HeartbeatState } from './heartbeat-publisher.js';
export { natsConnectOptions, NatsCredentialsError } from './nats-connection.js';
export type { NatsConnectionSettings } from './nats-connection.js';
export { bindPublisherMetrics } from './publisher-metrics.js';
export { silentLogger } from './event-logger.js';
export type { EventLogger } from './event-logger.js';
export {
  EventTooLargeError,
  OutboxClosedError,
  OutboxFullError,
  OutboxLockedError,
  OutboxWriteError,
  PublisherStateError,
  PublishRejectedError,
} from './event-errors.js';
