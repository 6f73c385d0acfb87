/**
 * The publisher's connection life: connect with exponential backoff until it works, follow the connection's
 * status (disconnect, reconnect, permission errors), and start over after the client gives up and closes, until
 * the signal aborts. nats.js reconnects by itself after a drop (`maxReconnectAttempts: -1`); this loop covers the
 * first connection, which nats.js does not retry, and a connection closed for good.
 */
import {
  connect,
  PermissionViolationError,
  type NatsConnection,
  type NodeConnectionOptions,
} from '@nats-io/transport-node';
import { maskUrlCredentials, type Logger } from '@rigbench/shared';

/** What the loop reports to its owner. */
export interface ConnectionHandlers {
  /** A new connection is up (its first connect): subscribe on it, then treat it like a reconnect. */
  connected(nc: NatsConnection): void;
  /** The client reconnected the same connection after a drop. */
  reconnected(): void;
  /** The connection dropped (the client is reconnecting) or closed. */
  disconnected(): void;
  /** The server refused an operation for lack of permissions. */
  permissionViolation(error: PermissionViolationError): void;
}

/** Options of {@link keepConnected}. */
export interface KeepConnectedOptions {
  connectOptions: NodeConnectionOptions;
  /** Backoff between failed connection attempts, in milliseconds, doubling up to `retryMaxMs`. */
  retryInitialMs: number;
  retryMaxMs: number;
  /** Aborting ends the loop; a connection made after the abort is closed at once. */
  signal: AbortSignal;
  log: Logger;
  handlers: ConnectionHandlers;
}

/** Connects, re-connecting after an unexpected close, until `signal` aborts. */
export async function keepConnected(options: KeepConnectedOptions): Promise<void> {
  const { connectOptions, signal, log, handlers } = options;
  const servers = [connectOptions.servers ?? []].flat().map(maskUrlCredentials);
  let delay = options.retryInitialMs;
  while (!signal.aborted) {
    let nc: NatsConnection;
    try {
      nc = await connect(connectOptions);
    } catch (error) {
      log.warn('nats connect failed, retrying', { servers, error: String(error), delayMs: delay });
      await sleep(delay, signal);
      delay = Math.min(options.retryMaxMs, delay * 2);
      continue;
    }
    delay = options.retryInitialMs;
    if (signal.aborted) {
      await nc.close();
      return;
    }
    log.info('nats connected', { server: nc.getServer() });
    handlers.connected(nc);
    void watchStatus(nc, log, handlers);
    const closedWith = await nc.closed();
    handlers.disconnected();
    if (!signal.aborted) {
      log.warn('nats connection closed, reconnecting', {
        error: closedWith ? String(closedWith) : undefined,
      });
    }
  }
}

async function watchStatus(nc: NatsConnection, log: Logger, handlers: ConnectionHandlers): Promise<void> {
  for await (const status of nc.status()) {
    if (status.type === 'error' && status.error instanceof PermissionViolationError) {
      handlers.permissionViolation(status.error);
    } else if (status.type === 'disconnect') {
      log.warn('nats disconnected', { server: status.server });
      handlers.disconnected();
    } else if (status.type === 'reconnect') {
      log.info('nats reconnected', { server: status.server });
      handlers.reconnected();
    }
  }
}

/** Resolves after `ms`, or at once when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
