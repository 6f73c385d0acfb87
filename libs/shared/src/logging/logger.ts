/**
 * The one logging surface of rigbench's libraries and services: fixed messages, details in metadata
 * (`log.warn('outbox nearly full', { bytes, maxBytes })`), never secrets in either. The agent adapts pino to it
 * (apps/agent `createAgentLogger`), the controller writes human text to stderr; library code takes a `Logger`
 * and defaults to {@link silentLogger}.
 */
export interface Logger {
  debug(message: string, details?: Record<string, unknown>): void;
  info(message: string, details?: Record<string, unknown>): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** A logger that drops everything (the default of library code, tests that do not look at logs). */
export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
