/**
 * Events on JetStream: the durable outbox, the pipelined publisher and core-NATS heartbeats. Connection options,
 * stream provisioning, subjects and the `Logger` interface come from @rigbench/shared.
 */
export { EventOutbox } from './event-outbox.js';
export type { EventOutboxOptions, OutboxEntry, OutboxRecord, OutboxUsage } from './event-outbox.js';
export { EVENT_HEADER_RESERVE_BYTES, EventPublisher } from './event-publisher.js';
export type {
  EventPublisherEvents,
  EventPublisherOptions,
  EventPublisherState,
  EventPublisherStopResult,
} from './event-publisher-types.js';
export { HeartbeatPublisher } from './heartbeat-publisher.js';
export type { ConnectionSource, HeartbeatPublisherOptions, HeartbeatState } from './heartbeat-publisher.js';
export { bindPublisherMetrics } from './publisher-metrics.js';
export {
  EventTooLargeError,
  OutboxClosedError,
  OutboxFullError,
  OutboxLockedError,
  OutboxWriteError,
  PublisherStateError,
  PublishRejectedError,
} from './event-errors.js';
