import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type NodeConnectionOptions } from '@nats-io/transport-node';

/**
 * How to reach NATS. Field names match the agent config (`AgentNatsConfig`), so it can be passed as is;
 * `null` and `undefined` both mean "not set". File paths should be absolute.
 */
export interface NatsConnectionSettings {
  /** Server URLs, e.g. `nats://nats-1:4222`. */
  servers: readonly string[];
  user?: string | null;
  password?: string | null;
  token?: string | null;
  /** NKey seed (`SU…`), the private key of an nkey user. */
  nkeySeed?: string | null;
  /** A `.creds` file (JWT + nkey seed) for decentralised auth. */
  credsFile?: string | null;
  /** TLS to the server; a client certificate when `certFile`/`keyFile` are set. */
  tls?: { caFile?: string | null; certFile?: string | null; keyFile?: string | null } | null;
  /** Client name shown by the server (`nats server report connections`). */
  name?: string;
  /** Prefix of the connection's reply subjects (`_INBOX.<agentId>` for an agent; see `agentInboxPrefix`). */
  inboxPrefix?: string;
}

/** The NATS credentials could not be read. */
export class NatsCredentialsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NatsCredentialsError';
  }
}

/**
 * Connection options for `connect()`: reconnect forever, since the outbox holds events while NATS is away.
 * Secrets go into authenticators and are never logged.
 */
export function natsConnectOptions(settings: NatsConnectionSettings): NodeConnectionOptions {
  if (settings.servers.length === 0) throw new TypeError('nats.servers: at least one server URL is needed');
  const options: NodeConnectionOptions = {
    servers: [...settings.servers],
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    // Connect attempt timeout, in ms; the publisher retries with backoff.
    timeout: 5_000,
    pingInterval: 20_000,
    maxPingOut: 3,
  };
  if (settings.name) options.name = settings.name;
  if (settings.inboxPrefix) options.inboxPrefix = settings.inboxPrefix;
  if (settings.user) {
    options.user = settings.user;
    options.pass = settings.password ?? '';
  }
  if (settings.token) options.token = settings.token;
  const authenticators = [];
  if (settings.nkeySeed)
    authenticators.push(nkeyAuthenticator(new TextEncoder().encode(settings.nkeySeed.trim())));
  if (settings.credsFile) {
    const path = settings.credsFile;
    let creds: Uint8Array;
    try {
      creds = readFileSync(path);
    } catch (error) {
      throw new NatsCredentialsError(`nats.credsFile: cannot read ${path} (${String(error)})`, {
        cause: error,
      });
    }
    authenticators.push(credsAuthenticator(creds));
  }
  if (authenticators.length > 0) options.authenticator = authenticators;
  if (settings.tls) {
    const tls: NonNullable<NodeConnectionOptions['tls']> = {};
    if (settings.tls.caFile) tls.caFile = settings.tls.caFile;
    if (settings.tls.certFile) tls.certFile = settings.tls.certFile;
    if (settings.tls.keyFile) tls.keyFile = settings.tls.keyFile;
    options.tls = tls;
  }
  return options;
}
