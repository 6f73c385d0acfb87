/**
 * The shared NATS layer (@rigbench/shared `nats/`) against real nats-servers, each on its own port with
 * JetStream in a temp dir: stream provisioning and the classification of JetStream errors by API error code,
 * and the connection options for every credential kind the test infrastructure can set up (user/password,
 * token, nkey seed inline and from a file, TLS with a CA, mutual TLS), through the agent's and the controller's
 * connect paths alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, headers, nkeys, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, StorageType, DiscardPolicy } from '@nats-io/jetstream';
import {
  classifyJetStreamError,
  DUPLICATE_WINDOW_DEFAULT_MS,
  ensureEventStream,
  EVENT_STREAM,
  EVENT_STREAM_SUBJECTS,
  eventStreamConfig,
  isNatsAuthFailure,
  JETSTREAM_ERROR_CODES,
  jetStreamErrorKind,
  natsConnectOptions,
  NatsCredentialsError,
  StreamProvisioningError,
  type NatsConnectionSettings,
} from '@rigbench/shared';
import { connectNats, NatsUnavailableError } from '../apps/controller/src/nats/nats-connection.js';
import { TestPki } from './faults/support/test-pki.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';

let work: string;
let servers: NatsServerHandle[] = [];
let connections: NatsConnection[] = [];

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'rigbench-nats-layer-'));
});
afterEach(async () => {
  for (const nc of connections) if (!nc.isClosed()) await nc.close();
  for (const server of servers) await server.dispose();
  connections = [];
  servers = [];
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

const server = async (options: Parameters<typeof startNatsServer>[0] = {}): Promise<NatsServerHandle> => {
  const handle = await startNatsServer(options);
  servers.push(handle);
  return handle;
};

/** Connects with the shared options, as the agent's publisher does. */
const connectShared = async (settings: NatsConnectionSettings): Promise<NatsConnection> => {
  const nc = await connect({
    ...natsConnectOptions(settings, { name: 'nats-layer-test' }),
    reconnect: false,
  });
  connections.push(nc);
  return nc;
};

/** The error a promise rejects with (fails the test when it resolves). */
const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

describe('stream provisioning against a real nats-server', () => {
  test('provisioning - creates the event stream once with the shared settings, then finds it existing', async () => {
    const nats = await server();
    const jsm = await jetstreamManager(await connectShared({ servers: [nats.url] }));
    expect(await ensureEventStream(jsm, { replicas: 1, maxAgeMs: 3_600_000 })).toBe('created');
    expect(await ensureEventStream(jsm)).toBe('existing');
    const { config } = await jsm.streams.info(EVENT_STREAM);
    expect(config.subjects).toEqual([EVENT_STREAM_SUBJECTS]);
    expect(config.storage).toBe(StorageType.File);
    expect(config.discard).toBe(DiscardPolicy.New);
    expect(config.duplicate_window).toBe(DUPLICATE_WINDOW_DEFAULT_MS * 1_000_000);
    expect(config.max_age).toBe(3_600_000 * 1_000_000);
  });

  test('provisioning - a stream someone created with other settings is left as it is', async () => {
    const nats = await server();
    const jsm = await jetstreamManager(await connectShared({ servers: [nats.url] }));
    await jsm.streams.add({ ...eventStreamConfig(), max_msgs: 10 });
    expect(await ensureEventStream(jsm, { maxAgeMs: 3_600_000 })).toBe('existing');
    const { config } = await jsm.streams.info(EVENT_STREAM);
    expect(config.max_msgs).toBe(10);
    expect(config.max_age).toBe(0);
  });

  test('classification - not found, name in use and subject overlap by their API error codes', async () => {
    const nats = await server();
    const jsm = await jetstreamManager(await connectShared({ servers: [nats.url] }));
    expect(classifyJetStreamError(await rejection(jsm.streams.info('NO_SUCH_STREAM')))).toEqual({
      kind: 'stream-not-found',
      code: JETSTREAM_ERROR_CODES.StreamNotFound,
    });
    await jsm.streams.add(eventStreamConfig());
    expect(classifyJetStreamError(await rejection(jsm.consumers.info(EVENT_STREAM, 'nobody')))).toEqual({
      kind: 'consumer-not-found',
      code: JETSTREAM_ERROR_CODES.ConsumerNotFound,
    });
    // The same name with another configuration: what a creator that lost the race to another one gets.
    expect(
      classifyJetStreamError(await rejection(jsm.streams.add({ ...eventStreamConfig(), max_msgs: 5 }))),
    ).toEqual({ kind: 'stream-exists', code: JETSTREAM_ERROR_CODES.StreamNameInUse });
    expect(
      classifyJetStreamError(
        await rejection(jsm.streams.add({ name: 'OTHER', subjects: [`${EVENT_STREAM_SUBJECTS}`] })),
      ),
    ).toEqual({ kind: 'config-conflict', code: JETSTREAM_ERROR_CODES.StreamSubjectOverlap });
  });

  test('provisioning - another stream owning the subjects fails with config-conflict and says what to do', async () => {
    const nats = await server();
    const jsm = await jetstreamManager(await connectShared({ servers: [nats.url] }));
    await jsm.streams.add({ name: 'SQUATTER', subjects: ['rigbench.>'] });
    const error = await rejection(ensureEventStream(jsm));
    expect(error).toBeInstanceOf(StreamProvisioningError);
    expect(error).toMatchObject({
      kind: 'config-conflict',
      code: JETSTREAM_ERROR_CODES.StreamSubjectOverlap,
    });
    expect((error as Error).message).toMatch(/another stream already takes these subjects/);
  });

  test('provisioning - a server without JetStream fails with jetstream-disabled and the -js hint', async () => {
    const nats = await server({ jetStream: false });
    const nc = await connectShared({ servers: [nats.url] });
    expect(classifyJetStreamError(await rejection(jetstreamManager(nc))).kind).toBe('jetstream-disabled');
    const error = await rejection(ensureEventStream(await jetstreamManager(nc, { checkAPI: false })));
    expect(error).toMatchObject({ name: 'StreamProvisioningError', kind: 'jetstream-disabled' });
    expect((error as Error).message).toMatch(/nats-server -js/);
  });

  test('classification - PubAck errors: a message over max_msg_size is refused for good, a wrong expected stream is a conflict', async () => {
    const nats = await server();
    const nc = await connectShared({ servers: [nats.url] });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ ...eventStreamConfig(), max_msg_size: 256 });
    const subject = `${EVENT_STREAM_SUBJECTS.slice(0, -1)}agent.run`;
    // The agent's pump reads the PubAck of a plain publish with a reply subject; a request gets the same reply.
    const pubAckError = async (data: string, expectedStream = EVENT_STREAM): Promise<number | undefined> => {
      const h = headers();
      h.set('Nats-Expected-Stream', expectedStream);
      const reply = await nc.request(subject, data, { timeout: 5_000, headers: h });
      return (reply.json<{ error?: { err_code?: number } }>().error ?? {}).err_code;
    };
    const tooLarge = await pubAckError('x'.repeat(1024));
    expect(tooLarge).toBe(JETSTREAM_ERROR_CODES.MessageTooLarge);
    expect(jetStreamErrorKind(tooLarge)).toBe('message-refused');
    const wrongStream = await pubAckError('{}', 'NOT_THE_EVENT_STREAM');
    expect(wrongStream).toBe(JETSTREAM_ERROR_CODES.ExpectedStreamMismatch);
    expect(jetStreamErrorKind(wrongStream)).toBe('config-conflict');
    expect(await pubAckError('{}')).toBeUndefined();
    // js.publish() turns the same reply into a JetStreamApiError, classified the same way.
    expect(classifyJetStreamError(await rejection(jetstream(nc).publish(subject, 'y'.repeat(1024))))).toEqual(
      {
        kind: 'message-refused',
        code: JETSTREAM_ERROR_CODES.MessageTooLarge,
      },
    );
  });
});

describe('shared connection options against a real nats-server', () => {
  /** True when a request on a fresh connection gets through (the server accepted who we are). */
  const works = async (settings: NatsConnectionSettings): Promise<boolean> => {
    const nc = await connectShared(settings);
    const sub = nc.subscribe('nats-layer.echo', { callback: (_e, msg) => void msg.respond(msg.data) });
    const reply = await nc.request('nats-layer.echo', 'ping', { timeout: 5_000 });
    sub.unsubscribe();
    return reply.string() === 'ping';
  };

  test('user/password - accepted; a wrong password is an auth failure for both the agent and controller paths', async () => {
    const nats = await server({ args: ['--user', 'alice', '--pass', 's3cret'] });
    expect(await works({ servers: [nats.url], user: 'alice', password: 's3cret' })).toBe(true);
    expect(
      isNatsAuthFailure(
        await rejection(connectShared({ servers: [nats.url], user: 'alice', password: 'no' })),
      ),
    ).toBe(true);
    // The controller's connect: the same options, its own error naming the fix, credentials in URLs masked.
    const url = `nats://alice:wrong-pass@127.0.0.1:${nats.port}`;
    const error = await rejection(connectNats({ servers: [url], connectTimeoutMs: 2_000 }));
    expect(error).toBeInstanceOf(NatsUnavailableError);
    expect(error).toMatchObject({ kind: 'auth' });
    expect((error as Error).message).not.toContain('wrong-pass');
    expect((error as Error).message).toContain('127.0.0.1');
    const nc = await connectNats({ servers: [nats.url], user: 'alice', password: 's3cret' });
    connections.push(nc);
    expect(nc.info?.server_name).toBeTruthy();
  });

  test('token - accepted', async () => {
    const nats = await server({ args: ['--auth', 'tok-123'] });
    expect(await works({ servers: [nats.url], token: 'tok-123' })).toBe(true);
  });

  test('nkey - the seed inline and from a file are accepted; a file without a user seed is refused naming the key', async () => {
    const user = nkeys.createUser();
    const conf = join(work, 'nkey.conf');
    writeFileSync(conf, `authorization { users = [ { nkey: "${user.getPublicKey()}" } ] }\n`);
    const nats = await server({ args: ['-c', conf] });
    const seed = new TextDecoder().decode(user.getSeed());
    expect(await works({ servers: [nats.url], nkeySeed: seed })).toBe(true);
    const seedFile = join(work, 'agent.nk');
    writeFileSync(seedFile, `${seed}\n`, { mode: 0o600 });
    expect(await works({ servers: [nats.url], nkeySeedFile: seedFile })).toBe(true);

    const notASeed = join(work, 'not-a-seed.nk');
    writeFileSync(notASeed, `${user.getPublicKey()}\n`);
    expect(() => natsConnectOptions({ servers: [nats.url], nkeySeedFile: notASeed })).toThrow(
      new NatsCredentialsError(
        'nats.nkeySeedFile',
        `${notASeed} is not an NKey user seed (it must start with SU; create one with 'nk -gen user')`,
      ),
    );
    expect(() => natsConnectOptions({ servers: [nats.url], credsFile: join(work, 'missing.creds') })).toThrow(
      /^nats\.credsFile: cannot read .*missing\.creds/,
    );
  });

  test('TLS - the CA that signed the server certificate is trusted; mutual TLS needs the client certificate', async () => {
    const pki = new TestPki()
      .selfSigned('ca')
      .leaf('server', 'ca', 'IP:127.0.0.1,DNS:localhost')
      .leaf('client', 'ca', 'DNS:nats-layer-client', ['extendedKeyUsage=clientAuth']);
    try {
      const tlsArgs = ['--tls', '--tlscert', pki.file('server.pem'), '--tlskey', pki.file('server.key')];
      const plain = await server({ args: tlsArgs });
      const tlsUrl = (port: number) => `tls://127.0.0.1:${port}`;
      expect(await works({ servers: [tlsUrl(plain.port)], tls: { ca: pki.file('ca.pem') } })).toBe(true);

      const mutual = await server({ args: [...tlsArgs, '--tlsverify', '--tlscacert', pki.file('ca.pem')] });
      const withCert = {
        servers: [tlsUrl(mutual.port)],
        tls: { ca: pki.file('ca.pem'), cert: pki.file('client.pem'), key: pki.file('client.key') },
      };
      expect(await works(withCert)).toBe(true);
      await expect(
        connectShared({
          servers: [tlsUrl(mutual.port)],
          tls: { ca: pki.file('ca.pem') },
          connectTimeoutMs: 2_000,
        }),
      ).rejects.toThrow();
    } finally {
      rmSync(pki.dir, { recursive: true, force: true });
    }
  });
});
