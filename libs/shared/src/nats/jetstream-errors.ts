import { JetStreamApiError } from '@nats-io/jetstream';

/**
 * JetStream failures sorted by what the caller should do, decided from the API error code (`err_code`) the
 * server sends, never from the message text (which changes between server versions). Used for the answers of
 * `$JS.API` requests (stream info/add) and for PubAcks alike.
 */

/** `err_code` values rigbench acts on (nats-server `server/errors.json`). */
export const JETSTREAM_ERROR_CODES = Object.freeze({
  ConsumerNotFound: 10014,
  InsufficientResources: 10023,
  MaximumStreamsLimit: 10027,
  JetStreamNotEnabledForAccount: 10039,
  StorageResourcesExceeded: 10047,
  /** Message larger than the stream's `max_msg_size`. */
  MessageTooLarge: 10054,
  /** Stream name already in use with a different configuration. */
  StreamNameInUse: 10058,
  StreamNotFound: 10059,
  /** `Nats-Expected-Stream` does not match the stream that took the subject. */
  ExpectedStreamMismatch: 10060,
  /** The subjects overlap with another stream's. */
  StreamSubjectOverlap: 10065,
  JetStreamNotEnabled: 10076,
} as const);

/**
 * What a JetStream error means for rigbench:
 * - `stream-not-found`: create the stream (again) and retry;
 * - `consumer-not-found`: create the consumer;
 * - `stream-exists`: someone else created it first (a race, or another config): use it as it is;
 * - `jetstream-disabled`: the server or account has no JetStream: an operator must enable it;
 * - `config-conflict`: another stream already owns the subjects: an operator must resolve it;
 * - `message-refused`: this one message can never be stored (too large): set it aside, go on;
 * - `retryable`: anything else (resources, leader election, timeouts): retry with backoff.
 */
export type JetStreamErrorKind =
  | 'stream-not-found'
  | 'consumer-not-found'
  | 'stream-exists'
  | 'jetstream-disabled'
  | 'config-conflict'
  | 'message-refused'
  | 'retryable';

/** A classified JetStream error. */
export interface JetStreamErrorClass {
  kind: JetStreamErrorKind;
  /** The API error code, `null` when the error carried none (a timeout, a closed connection). */
  code: number | null;
}

/** The kind of the JetStream API error code `code` (`err_code` of an API answer or a PubAck). */
export function jetStreamErrorKind(code: number | null | undefined): JetStreamErrorKind {
  const c = JETSTREAM_ERROR_CODES;
  switch (code) {
    case c.StreamNotFound:
      return 'stream-not-found';
    case c.ConsumerNotFound:
      return 'consumer-not-found';
    case c.StreamNameInUse:
      return 'stream-exists';
    case c.JetStreamNotEnabled:
    case c.JetStreamNotEnabledForAccount:
      return 'jetstream-disabled';
    case c.StreamSubjectOverlap:
    case c.ExpectedStreamMismatch:
      return 'config-conflict';
    case c.MessageTooLarge:
      return 'message-refused';
    default:
      return 'retryable';
  }
}

/**
 * Classifies an error thrown by the JetStream client: a `JetStreamApiError` by its code; the client's
 * `JetStreamNotEnabled` (no `$JS.API` responders) as `jetstream-disabled`; anything else as `retryable`.
 */
export function classifyJetStreamError(error: unknown): JetStreamErrorClass {
  if (error instanceof JetStreamApiError) return { kind: jetStreamErrorKind(error.code), code: error.code };
  if (error instanceof Error && error.name === 'JetStreamNotEnabled') {
    return { kind: 'jetstream-disabled', code: null };
  }
  return { kind: 'retryable', code: null };
}
