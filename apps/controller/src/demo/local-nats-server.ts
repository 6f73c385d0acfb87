import { connect as tcpConnect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { ChildProcessHandle } from './child-process-handle.js';
import { DemoPrerequisiteError, DemoProcessError } from './demo-errors.js';

/** A nats-server with JetStream on 127.0.0.1, owned by the demo. */
export interface LocalNatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  stop(): Promise<void>;
}

/** A TCP port that was free a moment ago (bind 127.0.0.1:0, read, close). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** True once the server greets a TCP client with `INFO`. */
function greets(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('data', (chunk) => done(chunk.toString('utf8').startsWith('INFO ')));
  });
}

/**
 * Starts `nats-server -js` on a free loopback port with its JetStream store in `storeDir`, and resolves once it
 * accepts clients. A missing binary fails with the package to install.
 */
export async function startLocalNatsServer(storeDir: string, signal: AbortSignal): Promise<LocalNatsServer> {
  const port = await freeLoopbackPort();
  const server = await ChildProcessHandle.spawn(
    'nats-server',
    'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', storeDir],
    {},
    () =>
      new DemoPrerequisiteError(
        "the demo needs 'nats-server' on PATH: install it with 'sudo apt-get install nats-server' (Debian/Ubuntu) " +
          'or download a 2.9+ binary from https://github.com/nats-io/nats-server/releases',
      ),
  );
  const deadline = Date.now() + 15_000;
  while (!(await greets(port))) {
    if (!server.running || Date.now() > deadline || signal.aborted) {
      await server.stop();
      signal.throwIfAborted();
      throw new DemoProcessError(`nats-server did not start on port ${port}:\n${server.lastOutput()}`);
    }
    await sleep(50);
  }
  return { url: `nats://127.0.0.1:${port}`, stop: () => server.stop() };
}
