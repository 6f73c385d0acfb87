/**
 * The logging surface the events module needs: fixed messages, details in metadata
 * (`log.warn('outbox nearly full', { bytes, maxBytes })`). Adapt pino with `(msg, meta) => pino.warn(meta, msg)`.
 */
export interface EventLogger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default). */
export const silentLogger: EventLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
