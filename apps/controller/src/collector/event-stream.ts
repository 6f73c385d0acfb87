import { EVENT_STREAM, EVENT_STREAM_SUBJECTS, eventStreamConfig } from '@rigbench/shared';
import { AckPolicy, DeliverPolicy, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/**
 * The controller's side of the event stream. Creating the stream is shared with the agents (`ensureEventStream`
 * in @rigbench/shared, re-exported here); the durable consumer is the controller's own.
 */
export { ensureEventStream } from '@rigbench/shared';

/** The event stream as both sides create it when missing, with the default settings (`eventStreamConfig()`). */
export const EVENT_STREAM_CONFIG = Object.freeze(eventStreamConfig());

/** Settings of the controller's durable pull consumer. */
export interface DurableConsumerOptions {
  durableName: string;
  maxAckPending: number;
  ackWaitMs: number;
}

/**
 * Creates (or updates) the durable pull consumer every controller process shares: explicit acks, from the
 * beginning of the stream, so a controller that was down catches up with everything it has not acknowledged.
 */
export async function ensureDurableConsumer(
  jsm: JetStreamManager,
  options: DurableConsumerOptions,
): Promise<void> {
  await jsm.consumers.add(EVENT_STREAM, {
    durable_name: options.durableName,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: EVENT_STREAM_SUBJECTS,
    max_ack_pending: options.maxAckPending,
    ack_wait: nanos(options.ackWaitMs),
    // Poison messages cannot exist: anything unparseable goes to quarantine and is acked.
    max_deliver: -1,
  });
}
