/**
 * A real nats-server (JetStream in a temp dir) and one client connection to it for a whole `describe` block (or
 * file): started in `beforeAll`, closed and disposed in `afterAll`.
 */
import { connect, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { startNatsServer, type NatsServerHandle } from './nats-server.js';

/** The server and connection of {@link useNatsServer}; reading either before `beforeAll` ran throws. */
export interface NatsFixture {
  readonly server: NatsServerHandle;
  readonly nc: NatsConnection;
}

/**
 * Registers, in the calling block, the hooks that start a nats-server and connect to it (`connectOptions` are
 * added to the server's URL), and close and dispose both after the block's last test.
 */
export function useNatsServer(connectOptions: Partial<NodeConnectionOptions> = {}): NatsFixture {
  let server: NatsServerHandle | undefined;
  let nc: NatsConnection | undefined;
  beforeAll(async () => {
    server = await startNatsServer();
    nc = await connect({ servers: server.url, ...connectOptions });
  });
  afterAll(async () => {
    await nc?.close();
    await server?.dispose();
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`nats fixture: the ${what} is used before beforeAll started it`);
    return value;
  };
  return {
    get server() {
      return started(server, 'nats-server');
    },
    get nc() {
      return started(nc, 'NATS connection');
    },
  };
}
