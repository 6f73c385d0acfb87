import { compileValidator } from './compile-validator.js';
import { EVENT_SCHEMA_VERSION, eventSchema } from './event-schema.js';
import type { RigbenchEvent } from './event-types.js';

/** The bytes on an event subject are not a well-formed `RigbenchEvent` (bad JSON, unknown type, bad field). */
export class MalformedEventError extends Error {
  override name = 'MalformedEventError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

/** The event carries a schema version this build does not understand (`v` other than the supported one). */
export class UnsupportedEventVersionError extends Error {
  override name = 'UnsupportedEventVersionError';
  /** The version the event claimed. */
  readonly version: unknown;
  constructor(version: unknown, options?: ErrorOptions) {
    super(
      `unsupported event schema version ${JSON.stringify(version)}; this build reads v${EVENT_SCHEMA_VERSION}`,
      options,
    );
    this.version = version;
  }
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * The fast path: a predicate compiled from {@link eventSchema} (see `compile-validator.ts`). Nearly all traffic is
 * `sample.recorded` and nearly all of it is valid; only what the predicate rejects pays for `safeParse`, which
 * then produces the error message with the field path.
 */
const isValidEvent = compileValidator(eventSchema);

/**
 * Parses and validates one event as read from the event stream. Unknown extra fields are kept (a newer agent
 * may add optional fields within the same schema version).
 *
 * @throws MalformedEventError for invalid UTF-8, invalid JSON, a non-object, an unknown `type` or a bad field
 *   (the message names the field path).
 * @throws UnsupportedEventVersionError when `v` is not the supported schema version.
 */
export function parseEvent(input: Uint8Array | string): RigbenchEvent {
  let text: string;
  try {
    text = typeof input === 'string' ? input : decoder.decode(input);
  } catch (error) {
    throw new MalformedEventError('event is not valid UTF-8', { cause: error });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MalformedEventError(`event is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new MalformedEventError(
      `event must be a JSON object, got ${Array.isArray(json) ? 'array' : typeof json}`,
    );
  }
  const version = (json as { v?: unknown }).v;
  if (version !== EVENT_SCHEMA_VERSION) {
    if (version === undefined) throw new MalformedEventError('event has no schema version field "v"');
    throw new UnsupportedEventVersionError(version);
  }
  if (isValidEvent(json)) return json;
  const result = eventSchema.safeParse(json);
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue && issue.path.length > 0 ? issue.path.join('.') : '(root)';
    const type = (json as { type?: unknown }).type;
    throw new MalformedEventError(
      `invalid ${typeof type === 'string' ? `'${type}'` : 'untyped'} event at ${path}: ${issue?.message ?? 'invalid'}`,
      { cause: result.error },
    );
  }
  // Only reached if zod accepts what the compiled predicate rejected, which compile-validator.test.ts rules out;
  // zod stays the reference then (its output lacks unknown extra fields, which the fast path keeps).
  return result.data;
}
