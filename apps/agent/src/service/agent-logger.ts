import { maskUrlCredentials, type Logger } from '@rigbench/shared';
import { pino, type Logger as PinoLogger } from 'pino';

/**
 * The agent's logger: the shared `Logger` (fixed message, details as structured metadata) that can also make
 * child loggers, for the composition root to hand each module its own `{ module }` binding.
 */
export interface AgentLogger extends Logger {
  /** A logger whose lines carry `bindings` too (e.g. `{ module: 'engine' }`). */
  child(bindings: Record<string, unknown>): AgentLogger;
}

/** Keys that must never reach a log line, wherever they appear in the details. */
const REDACT = [
  'token',
  'password',
  'nkeySeed',
  'authorization',
  '*.token',
  '*.password',
  '*.nkeySeed',
  '*.authorization',
  '*.authToken',
];

function wrap(log: PinoLogger): AgentLogger {
  return {
    debug: (message, details) => log.debug(details ?? {}, message),
    info: (message, details) => log.info(details ?? {}, message),
    warn: (message, details) => log.warn(details ?? {}, message),
    error: (message, details) => log.error(details ?? {}, message),
    child: (bindings) => wrap(log.child(bindings)),
  };
}

/** Structured JSON lines (pino) on stderr, so stdout stays free for the `listening` line. */
export function createAgentLogger(options: { level: string; agentId: string }): AgentLogger {
  const log = pino(
    {
      level: options.level,
      base: { agent: options.agentId, pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT, censor: '********' },
      // Credentials inside URLs (`nats://user:password@host` in a connection error) are text, not keys: mask
      // them in the finished line, whatever field or message carries them.
      hooks: { streamWrite: maskUrlCredentials },
    },
    pino.destination({ fd: 2, sync: true }),
  );
  return wrap(log);
}
