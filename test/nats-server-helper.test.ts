import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { existsSync } from 'node:fs';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { eventually } from './support/eventually.js';
import { freePort } from './support/free-port.js';

describe('test support - nats-server', () => {
  let server: NatsServerHandle;

  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await server.dispose();
  });

  test('nats-server - accepts clients with JetStream and keeps the stream across restart on the same port', async () => {
    expect(server.running).toBe(true);
    expect(server.pid).toBeGreaterThan(0);
    expect(existsSync(server.storeDir)).toBe(true);
    let nc = await connect({ servers: server.url });
    let jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: 'HELPER', subjects: ['helper.>'] });
    await nc.close();

    const oldPid = server.pid;
    await server.restart();
    expect(server.pid).not.toBe(oldPid);
    nc = await connect({ servers: server.url });
    jsm = await jetstreamManager(nc);
    const info = await jsm.streams.info('HELPER');
    expect(info.config.subjects).toEqual(['helper.>']);
    await nc.close();
  });

  test('nats-server - kill() stops the process and restart() brings it back', async () => {
    await server.kill('SIGKILL');
    expect(server.running).toBe(false);
    expect(server.pid).toBeUndefined();
    await server.restart();
    expect(server.running).toBe(true);
  });

  test('eventually - returns the first value that holds and fails with the description', async () => {
    let calls = 0;
    await expect(eventually(() => ++calls >= 3 && calls, { intervalMs: 1 })).resolves.toBe(3);
    await expect(eventually(() => false, { timeoutMs: 30, description: 'never' })).rejects.toThrow(/never/);
  });

  test('free-port - returns a bindable port', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThan(0);
    expect(port).toBeLessThan(65536);
  });
});
