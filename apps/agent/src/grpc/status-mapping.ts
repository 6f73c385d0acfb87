import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { EventTooLargeError, OutboxFullError, PublisherStateError } from '../events/index.js';
import {
  AgentBusyError,
  AgentShuttingDownError,
  PlanRejectedError,
  RunExistsError,
  RunModelError,
  RunNotFoundError,
} from '../service/errors.js';

/** Trailing metadata key carrying `[{path, message}]` JSON for INVALID_ARGUMENT and NOT_FOUND on a model. */
export const VIOLATIONS_METADATA_KEY = 'rigbench-violations';
/** Trailing metadata key carrying the active run ids (comma-separated) with RESOURCE_EXHAUSTED. */
export const ACTIVE_RUNS_METADATA_KEY = 'rigbench-active-runs';

/** Metadata values must be printable ASCII: escape the rest as JSON `\uXXXX`. */
const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );

/** A status error as grpc-js sends it. */
export type StatusError = Partial<ServiceError> & { code: status; details: string };

/** Builds a status error with optional trailing metadata. */
export function statusError(code: status, details: string, metadata?: Metadata): StatusError {
  return { code, details, ...(metadata ? { metadata } : {}) };
}

/** Maps a domain error to the gRPC status a client can act on; anything unexpected is INTERNAL. */
export function toStatusError(error: unknown): StatusError {
  if (error instanceof PlanRejectedError) {
    const metadata = new Metadata();
    metadata.set(VIOLATIONS_METADATA_KEY, asciiJson(error.violations));
    return statusError(status.INVALID_ARGUMENT, error.message, metadata);
  }
  if (error instanceof RunModelError) {
    const metadata = new Metadata();
    metadata.set(VIOLATIONS_METADATA_KEY, asciiJson([{ path: error.path, message: error.message }]));
    return statusError(error.notFound ? status.NOT_FOUND : status.INVALID_ARGUMENT, error.message, metadata);
  }
  if (error instanceof AgentBusyError) {
    const metadata = new Metadata();
    metadata.set(ACTIVE_RUNS_METADATA_KEY, error.activeRunIds.join(','));
    return statusError(status.RESOURCE_EXHAUSTED, error.message, metadata);
  }
  if (error instanceof RunNotFoundError) return statusError(status.NOT_FOUND, error.message);
  if (error instanceof RunExistsError) return statusError(status.ALREADY_EXISTS, error.message);
  if (error instanceof AgentShuttingDownError) return statusError(status.UNAVAILABLE, error.message);
  // The outbox refuses events when full: the run cannot be recorded, retry once NATS has caught up.
  if (error instanceof OutboxFullError) return statusError(status.RESOURCE_EXHAUSTED, error.message);
  if (error instanceof EventTooLargeError) return statusError(status.INVALID_ARGUMENT, error.message);
  if (error instanceof PublisherStateError) return statusError(status.UNAVAILABLE, error.message);
  return statusError(status.INTERNAL, `internal error: ${(error as Error)?.message ?? String(error)}`);
}
