import { EVENT_STREAM, EVENT_SUBJECT_PREFIX } from '@rigbench/shared';
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';

/** Subjects of the event stream: `rigbench.events.<agentId>.<runId>`. */
export const EVENT_STREAM_SUBJECTS = `${EVENT_SUBJECT_PREFIX}.>`;

/**
 * The event stream as both sides create it when missing (agents publish, controllers consume; whichever starts
 * first creates it), with the agent's defaults (apps/agent EventPublisher): file storage so a NATS restart loses
 * nothing, a 5-minute duplicate window for the agents' message ids, and `discard: new` so a full stream refuses
 * events (they wait in the agents' outboxes) instead of dropping old ones.
 */
export const EVENT_STREAM_CONFIG: Partial<StreamConfig> & { name: string; subjects: string[] } = {
  name: EVENT_STREAM,
  subjects: [EVENT_STREAM_SUBJECTS],
  storage: StorageType.File,
  retention: RetentionPolicy.Limits,
  num_replicas: 1,
  max_age: 0,
  max_bytes: -1,
  discard: DiscardPolicy.New,
  duplicate_window: nanos(5 * 60 * 1000),
};

const isNotFound = (error: unknown): boolean =>
  error instanceof JetStreamApiError &&
  (error.code === JetStreamApiCodes.StreamNotFound || error.code === JetStreamApiCodes.ConsumerNotFound);

/** Creates the event stream when it does not exist; an existing stream is left as its owner configured it. */
export async function ensureEventStream(jsm: JetStreamManager): Promise<void> {
  try {
    await jsm.streams.info(EVENT_STREAM);
  } catch (error) {
    if (!isNotFound(error)) throw error;
    try {
      await jsm.streams.add(EVENT_STREAM_CONFIG);
    } catch (addError) {
      // Another process may have created it between our info and add; only then is the failure harmless.
      await jsm.streams.info(EVENT_STREAM).catch(() => {
        throw addError;
      });
    }
  }
}

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
