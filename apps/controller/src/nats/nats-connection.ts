import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  isNatsAuthFailure,
  maskUrlCredentials,
  natsConnectOptions,
  type NatsConnectionSettings,
} from '@rigbench/shared';

/** Why a NATS connection failed: the server refused the credentials, or could not be reached at all. */
export type NatsFailureKind = 'auth' | 'unreachable';

/** NATS could not be reached or refused the credentials; `kind` tells which, the message says what to do. */
export class NatsUnavailableError extends Error {
  override name = 'NatsUnavailableError';
  readonly kind: NatsFailureKind;
  constructor(servers: readonly string[], options?: ErrorOptions) {
    const cause = options?.cause;
    const why = maskUrlCredentials(cause instanceof Error ? cause.message : 'unknown error');
    const kind = isNatsAuthFailure(cause) ? 'auth' : 'unreachable';
    const where = servers.map(maskUrlCredentials).join(', ');
    super(
      kind === 'auth'
        ? `NATS at ${where} refused the credentials: ${why}; check RIGBENCH_NATS_USER and ` +
            "RIGBENCH_NATS_PASSWORD (or the token, creds or nkey file) against the server's authorization block"
        : `cannot connect to NATS at ${where}: ${why}; start nats-server with JetStream (-js) or pass ` +
            '--nats URL / set RIGBENCH_NATS_SERVERS',
      options,
    );
    this.kind = kind;
  }
}

/**
 * Connects to NATS with the configured credentials and TLS (the options both apps build with
 * `natsConnectOptions`); reconnects forever once connected. A credential file that cannot be read throws
 * `NatsCredentialsError` naming the key.
 */
export async function connectNats(
  config: NatsConnectionSettings,
  name = 'rigbench-controller',
): Promise<NatsConnection> {
  const options = natsConnectOptions(config, { name });
  try {
    return await connect(options);
  } catch (error) {
    throw new NatsUnavailableError(config.servers, { cause: error });
  }
}
