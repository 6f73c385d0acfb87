import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nkeys } from '@nats-io/transport-node';
import type { Logger, NatsConnectionSettings } from '@rigbench/shared';
import { EventPublisher } from '../apps/agent/src/events/index.js';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { makeRunEvents } from './support/run-events.js';

const AGENT = 'agent-auth';

describe('EventPublisher - NATS credentials against a real nats-server', () => {
  let work: string;
  let servers: NatsServerHandle[] = [];
  let publishers: EventPublisher[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rigbench-nats-auth-'));
  });
  afterEach(async () => {
    for (const publisher of publishers) await publisher.stop({ timeoutMs: 0 });
    for (const server of servers) await server.dispose();
    publishers = [];
    servers = [];
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const server = async (args: string[]): Promise<NatsServerHandle> => {
    const handle = await startNatsServer({ args });
    servers.push(handle);
    return handle;
  };

  /** Publishes 20 events with `nats` and reports whether all were acknowledged. */
  const deliver = async (nats: NatsConnectionSettings, logger?: Logger): Promise<boolean> => {
    const publisher = new EventPublisher({
      agentId: AGENT,
      nats,
      outbox: { dir: mkdtempSync(join(work, 'outbox-')), maxBytes: 1 << 20 },
      retryMaxMs: 200,
      ...(logger ? { logger } : {}),
    });
    publishers.push(publisher);
    await publisher.start();
    for (const event of makeRunEvents(AGENT, 'run-auth', 20)) await publisher.publish(event);
    return publisher.flush(10_000);
  };

  test('user/password - accepted with the right password, refused with a wrong one (events kept)', async () => {
    const nats = await server(['--user', 'alice', '--pass', 's3cret']);
    expect(await deliver({ servers: [nats.url], user: 'alice', password: 's3cret' })).toBe(true);

    const warnings: Array<Record<string, unknown> | undefined> = [];
    const logger: Logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message, meta) => {
        if (message === 'nats connect failed, retrying') warnings.push(meta);
      },
      error: () => undefined,
    };
    const pending = deliver({ servers: [nats.url], user: 'alice', password: 'wrong' }, logger);
    await eventually(() => warnings.length >= 2);
    expect(String(warnings[0]!.error)).toMatch(/authorization/i);
    expect(JSON.stringify(warnings)).not.toContain('wrong');
    const rejected = publishers[publishers.length - 1]!;
    // The refusals can come before all 20 appends are durable on a busy box: wait for them, then they stay.
    await eventually(() => expect(rejected.pendingCount()).toBe(20));
    expect(rejected.isConnected).toBe(false);
    await rejected.stop({ timeoutMs: 0 });
    await expect(pending).resolves.toBe(false);
  });

  test('token - accepted', async () => {
    const nats = await server(['--auth', 'tok-123']);
    expect(await deliver({ servers: [nats.url], token: 'tok-123' })).toBe(true);
  });

  test('nkey seed - accepted', async () => {
    const user = nkeys.createUser();
    const conf = join(work, 'nkey.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const nats = await server(['-c', conf]);
    const seed = new TextDecoder().decode(user.getSeed());
    expect(await deliver({ servers: [nats.url], nkeySeed: seed })).toBe(true);
  });

  test('nkey seed file - read at start; an unreadable one fails the start naming the key, the outbox untouched', async () => {
    const user = nkeys.createUser();
    const conf = join(work, 'nkey-file.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const nats = await server(['-c', conf]);
    const seedFile = join(work, 'agent-auth.nk');
    writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`, { mode: 0o600 });
    expect(await deliver({ servers: [nats.url], nkeySeedFile: seedFile })).toBe(true);

    const missing = new EventPublisher({
      agentId: AGENT,
      nats: { servers: [nats.url], nkeySeedFile: join(work, 'no-such.nk') },
      outbox: { dir: mkdtempSync(join(work, 'outbox-')), maxBytes: 1 << 20 },
    });
    publishers.push(missing);
    await expect(missing.start()).rejects.toThrow(
      expect.objectContaining({ name: 'NatsCredentialsError', key: 'nats.nkeySeedFile' }),
    );
    expect(missing.state).toBe('failed');
  });

  test('TLS - accepted with the CA that signed the server certificate', async () => {
    const pem = (name: string) => join(work, name);
    const openssl = (...args: string[]) => {
      try {
        execFileSync('openssl', args, { stdio: 'pipe' });
      } catch (error) {
        throw new Error(`openssl failed (install it with 'apt-get install openssl'): ${String(error)}`);
      }
    };
    openssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=rigbench-test-ca',
      '-keyout',
      pem('ca-key.pem'),
      '-out',
      pem('ca.pem'),
    );
    openssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      pem('server-key.pem'),
      '-out',
      pem('server.csr'),
    );
    writeFileSync(pem('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
    openssl(
      'x509',
      '-req',
      '-in',
      pem('server.csr'),
      '-CA',
      pem('ca.pem'),
      '-CAkey',
      pem('ca-key.pem'),
      '-CAcreateserial',
      '-days',
      '1',
      '-extfile',
      pem('ext.cnf'),
      '-out',
      pem('server.pem'),
    );
    const nats = await server(['--tls', '--tlscert', pem('server.pem'), '--tlskey', pem('server-key.pem')]);
    expect(await deliver({ servers: [`tls://127.0.0.1:${nats.port}`], tls: { ca: pem('ca.pem') } })).toBe(
      true,
    );
  });
});
