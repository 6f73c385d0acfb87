import { createServer } from 'node:net';

/**
 * Finds a TCP port that is free on `host` right now, by binding port 0 and closing the listener again.
 * Another process can still take it before the caller binds it; servers that can bind port 0 themselves should.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`free-port: unexpected listener address ${String(address)}`));
        return;
      }
      const { port } = address;
      server.close((error) => (error ? reject(error) : resolve(port)));
    });
  });
}
