import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { ControllerConfig } from '../config/controller-config.js';

/** Why a NATS connection failed: the server refused the credentials, or could not be reached at all. */
export type NatsFailureKind = 'auth' | 'unreachable';

/** NATS could not be reached or refused the credentials; `kind` tells which, the message says what to do. */
export class NatsUnavailableError extends Error {
  override name = 'NatsUnavailableError';
  readonly kind: NatsFailureKind;
  constructor(servers: readonly string[], options?: ErrorOptions) {
    const cause = options?.cause;
    const why = cause instanceof Error ? cause.message : 'unknown error';
    const kind = isAuthFailure(cause) ? 'auth' : 'unreachable';
    super(
      kind === 'auth'
        ? `NATS at ${servers.join(', ')} refused the credentials: ${why}; check RIGBENCH_NATS_USER and ` +
            "RIGBENCH_NATS_PASSWORD (or the token, creds or nkey file) against the server's authorization block"
        : `cannot connect to NATS at ${servers.join(', ')}: ${why}; start nats-server with JetStream (-js) or pass ` +
            '--nats URL / set RIGBENCH_NATS_SERVERS',
      options,
    );
    this.kind = kind;
  }
}

/** True for the NATS client's authorization and expired-credential errors. */
function isAuthFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    error.name === 'AuthorizationError' ||
    error.name === 'UserAuthenticationExpiredError' ||
    /authorization violation|authentication/i.test(error.message)
  );
}

/** Connects to NATS with the configured credentials and TLS; reconnects forever once connected. */
export async function connectNats(
  config: ControllerConfig['nats'],
  name = 'rigbench-controller',
): Promise<NatsConnection> {
  const authenticator = [];
  if (config.credsFile) authenticator.push(credsAuthenticator(readFileSync(config.credsFile)));
  if (config.nkeySeedFile) {
    authenticator.push(
      nkeyAuthenticator(new TextEncoder().encode(readFileSync(config.nkeySeedFile, 'utf8').trim())),
    );
  }
  try {
    return await connect({
      servers: [...config.servers],
      name,
      timeout: config.connectTimeoutMs,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      ...(config.user ? { user: config.user } : {}),
      ...(config.password ? { pass: config.password } : {}),
      ...(config.token ? { token: config.token } : {}),
      ...(authenticator.length > 0 ? { authenticator } : {}),
      ...(config.tls
        ? {
            tls: {
              ...(config.tls.ca ? { caFile: config.tls.ca } : {}),
              ...(config.tls.cert ? { certFile: config.tls.cert } : {}),
              ...(config.tls.key ? { keyFile: config.tls.key } : {}),
            },
          }
        : {}),
    });
  } catch (error) {
    throw new NatsUnavailableError(config.servers, { cause: error });
  }
}
