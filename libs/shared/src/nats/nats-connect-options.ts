import { readFileSync } from 'node:fs';
import { credsAuthenticator, nkeyAuthenticator, type NodeConnectionOptions } from '@nats-io/transport-node';
import type { NatsConfig, NatsTlsFiles } from './nats-config.js';

/**
 * What {@link natsConnectOptions} needs: a {@link NatsConfig}, or any part of it besides `servers`
 * (`null` and absent both mean "not set"; file paths should be absolute).
 */
export type NatsConnectionSettings = Pick<NatsConfig, 'servers'> & {
  [K in Exclude<keyof NatsConfig, 'servers' | 'tls' | 'streamReplicas'>]?: NatsConfig[K] | undefined;
} & { tls?: Partial<NatsTlsFiles> | null | undefined };

/** How this process shows itself on the connection. */
export interface NatsClientIdentity {
  /** Client name shown by the server (`nats server report connections`). */
  name?: string;
  /** Prefix of the connection's reply subjects (`_INBOX.<agentId>` for an agent; see `agentInboxPrefix`). */
  inboxPrefix?: string;
}

/** A NATS credential (seed or creds file) could not be read or is not what the key expects. */
export class NatsCredentialsError extends Error {
  override name = 'NatsCredentialsError';
  constructor(
    /** The config key, e.g. `nats.nkeySeedFile`. */
    readonly key: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(`${key}: ${message}`, options);
  }
}

/** Default timeout of one connection attempt, in milliseconds. */
export const NATS_CONNECT_TIMEOUT_MS = 5_000;

function readCredential(key: string, path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new NatsCredentialsError(key, `cannot read ${path} (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** The seed must be an NKey *user* seed; anything else fails later inside the client with a vaguer error. */
function userSeed(key: string, seed: string, where: string): Uint8Array {
  const text = seed.trim().split(/\r?\n/)[0]?.trim() ?? '';
  if (!text.startsWith('SU')) {
    throw new NatsCredentialsError(
      key,
      `${where} is not an NKey user seed (it must start with SU; create one with 'nk -gen user')`,
    );
  }
  return new TextEncoder().encode(text);
}

/**
 * Connection options for `connect()`, the same for agent and controller: reconnect forever with jittered
 * backoff (the agent's outbox and the controller's durable consumer both ride out outages), pings every 20 s.
 * Secrets go into the options and authenticators only; nothing here logs. Reads the seed and creds files now,
 * throwing {@link NatsCredentialsError} naming the key.
 */
export function natsConnectOptions(
  settings: NatsConnectionSettings,
  client: NatsClientIdentity = {},
): NodeConnectionOptions {
  if (settings.servers.length === 0) throw new TypeError('nats.servers: at least one server URL is needed');
  const options: NodeConnectionOptions = {
    servers: [...settings.servers],
    reconnect: true,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    reconnectJitter: 250,
    timeout: settings.connectTimeoutMs ?? NATS_CONNECT_TIMEOUT_MS,
    pingInterval: 20_000,
    maxPingOut: 3,
  };
  if (client.name) options.name = client.name;
  if (client.inboxPrefix) options.inboxPrefix = client.inboxPrefix;
  if (settings.user) {
    options.user = settings.user;
    options.pass = settings.password ?? '';
  }
  if (settings.token) options.token = settings.token;
  const authenticators = [];
  if (settings.nkeySeed) {
    authenticators.push(nkeyAuthenticator(userSeed('nats.nkeySeed', settings.nkeySeed, 'the value')));
  }
  if (settings.nkeySeedFile) {
    const text = new TextDecoder().decode(readCredential('nats.nkeySeedFile', settings.nkeySeedFile));
    authenticators.push(nkeyAuthenticator(userSeed('nats.nkeySeedFile', text, settings.nkeySeedFile)));
  }
  if (settings.credsFile) {
    authenticators.push(credsAuthenticator(readCredential('nats.credsFile', settings.credsFile)));
  }
  if (authenticators.length > 0) options.authenticator = authenticators;
  if (settings.tls) {
    const tls: NonNullable<NodeConnectionOptions['tls']> = {};
    if (settings.tls.ca) tls.caFile = settings.tls.ca;
    if (settings.tls.cert) tls.certFile = settings.tls.cert;
    if (settings.tls.key) tls.keyFile = settings.tls.key;
    options.tls = tls;
  }
  return options;
}

/** True for the NATS client's authorization and expired-credential errors (the server refused who we are). */
export function isNatsAuthFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'AuthorizationError' ||
    error.name === 'UserAuthenticationExpiredError' ||
    /authorization violation|authentication/i.test(error.message)
  );
}
