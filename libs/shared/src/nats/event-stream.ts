import {
  DiscardPolicy,
  RetentionPolicy,
  StorageType,
  type JetStreamManager,
  type StreamConfig,
} from '@nats-io/jetstream';
import { silentLogger, type Logger } from '../logging/logger.js';
import { classifyJetStreamError, type JetStreamErrorKind } from './jetstream-errors.js';
import { EVENT_STREAM, EVENT_STREAM_SUBJECTS } from './nats-subjects.js';

/**
 * Provisioning of the event stream, the same for both sides: agents publish and controllers consume, and
 * whichever starts first creates the stream. An existing stream is left exactly as its owner configured it.
 */

/** Settings of the event stream when it has to be created. */
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
   * `new`) rather than dropping old ones nobody may have read yet: refused events wait in the agents' outboxes,
   * whose capacity metric and warning then tell the operator.
   */
  maxBytes?: number;
  /** Window in which a repeated message id is dropped, in milliseconds (default 300,000; at least 120,000). */
  duplicateWindowMs?: number;
}

/** Smallest duplicate window accepted, in milliseconds: shorter ones turn a resend after an outage into a copy. */
export const DUPLICATE_WINDOW_MIN_MS = 120_000;
/** Default duplicate window, in milliseconds (5 minutes). */
export const DUPLICATE_WINDOW_DEFAULT_MS = 300_000;

const msToNanos = (ms: number): number => ms * 1_000_000;

/**
 * The stream configuration created when the stream is missing: file storage (a NATS restart loses nothing),
 * limits retention, `discard: new`, and the duplicate window the agents' message ids rely on. Throws a
 * `TypeError` naming the setting for a duplicate window under {@link DUPLICATE_WINDOW_MIN_MS} or a max age shorter
 * than the window (which JetStream would refuse).
 */
export function eventStreamConfig(
  settings: EventStreamSettings = {},
): Partial<StreamConfig> & { name: string; subjects: string[] } {
  const window = settings.duplicateWindowMs ?? DUPLICATE_WINDOW_DEFAULT_MS;
  if (window < DUPLICATE_WINDOW_MIN_MS) {
    throw new TypeError(
      `stream.duplicateWindowMs must be at least ${DUPLICATE_WINDOW_MIN_MS}, got ${window}`,
    );
  }
  const maxAge = settings.maxAgeMs ?? 0;
  // JetStream refuses the stream otherwise ("duplicates window can not be larger then max age"): say so up front.
  if (maxAge !== 0 && maxAge < window) {
    throw new TypeError(
      `stream.maxAgeMs (${maxAge}) must be 0 (unlimited) or at least stream.duplicateWindowMs (${window})`,
    );
  }
  return {
    name: settings.name ?? EVENT_STREAM,
    subjects: settings.subjects ?? [EVENT_STREAM_SUBJECTS],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    num_replicas: settings.replicas ?? 1,
    max_age: msToNanos(maxAge),
    max_bytes: settings.maxBytes ?? -1,
    discard: DiscardPolicy.New,
    duplicate_window: msToNanos(window),
  };
}

/** The event stream could not be read or created; `kind` says why, the message what to do. */
export class StreamProvisioningError extends Error {
  override name = 'StreamProvisioningError';
  constructor(
    readonly stream: string,
    readonly kind: JetStreamErrorKind,
    readonly code: number | null,
    options?: ErrorOptions,
  ) {
    const why = options?.cause instanceof Error ? options.cause.message : String(options?.cause);
    super(`cannot create or read stream ${stream}: ${why}${hint(kind)}`, options);
  }
}

function hint(kind: JetStreamErrorKind): string {
  if (kind === 'jetstream-disabled') {
    return '; enable JetStream on the server (nats-server -js, or jetstream {} in its config) and for the account';
  }
  if (kind === 'config-conflict') {
    return `; another stream already takes these subjects: remove it or give it other subjects (nats stream ls)`;
  }
  return '';
}

/** What {@link ensureEventStream} found. */
export type StreamProvisioning = 'existing' | 'created';

/**
 * Creates the event stream when it does not exist and reports which it was. A stream created by another process
 * between our look-up and our create counts as existing. Throws {@link StreamProvisioningError} (classified by
 * the JetStream API error code) for anything else.
 */
export async function ensureEventStream(
  jsm: JetStreamManager,
  settings: EventStreamSettings = {},
  log: Logger = silentLogger,
): Promise<StreamProvisioning> {
  const config = eventStreamConfig(settings);
  try {
    await jsm.streams.info(config.name);
    return 'existing';
  } catch (error) {
    const { kind, code } = classifyJetStreamError(error);
    if (kind !== 'stream-not-found')
      throw new StreamProvisioningError(config.name, kind, code, { cause: error });
  }
  try {
    await jsm.streams.add(config);
  } catch (error) {
    const { kind, code } = classifyJetStreamError(error);
    if (kind === 'stream-exists') return 'existing';
    throw new StreamProvisioningError(config.name, kind, code, { cause: error });
  }
  log.info('created event stream', {
    stream: config.name,
    subjects: config.subjects,
    replicas: config.num_replicas,
  });
  return 'created';
}
