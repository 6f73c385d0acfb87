import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nkeyAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import type { ControllerConfig } from '../config/controller-config.js';

/** NATS could not be reached or refused the credentials. */
export class NatsUnavailableError extends Error {
  override name = 'NatsUnavailableError';
  constructor(servers: readonly string[], options?: ErrorOptions) {
    const why = options?.cause instanceof Error ? options.cause.message : 'unknown error';
    super(
      `cannot connect to NATS at ${servers.join(', ')}: ${why}; start nats-server with JetStream (-js) or pass ` +
        '--nats URL / set RIGBENCH_NATS_SERVERS',
      options,
    );
  }
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
