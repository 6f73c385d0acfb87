import { eventSubject, parseEvent, UnsupportedEventVersionError } from '@rigbench/shared';
import type { IngestItem, QuarantineReason } from '../store/store-types.js';

/** One message as taken from the stream: what the store needs of a `JsMsg` (which satisfies it as it is). */
export interface RawEventMessage {
  /** Stream sequence; read only for quarantined messages (a `JsMsg` parses it from its reply subject). */
  readonly seq: number;
  readonly subject: string;
  readonly data: Uint8Array;
}

/**
 * Parses one stream message into an event for the store, or a quarantine entry naming why not (malformed,
 * unsupported schema version, or a body that claims another agent or run than its subject).
 */
export function toIngestItem(stream: string, msg: RawEventMessage): IngestItem {
  const quarantine = (reason: QuarantineReason, error: string): IngestItem => ({
    kind: 'quarantine',
    message: {
      stream,
      streamSeq: msg.seq,
      subject: msg.subject,
      reason,
      error,
      payload: msg.data,
    },
  });
  let event;
  try {
    event = parseEvent(msg.data);
  } catch (error) {
    const reason = error instanceof UnsupportedEventVersionError ? 'unsupported-version' : 'malformed';
    return quarantine(reason, (error as Error).message);
  }
  // The subject is what NATS permissions protect; an event claiming another agent or run is not trusted.
  if (msg.subject !== eventSubject(event.agentId, event.runId)) {
    return quarantine(
      'subject-mismatch',
      `event for agent '${event.agentId}' run '${event.runId}' arrived on subject ${msg.subject}`,
    );
  }
  return { kind: 'event', event };
}
