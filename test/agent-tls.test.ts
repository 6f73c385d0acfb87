import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { credentials, status } from '@grpc/grpc-js';
import type { AgentRpc } from '@rigbench/shared';
import { agentClient, call, rejection, startTestAgent, type TestAgent } from './support/agent-harness.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';

const dir = mkdtempSync(join(tmpdir(), 'rigbench-tls-'));
const file = (name: string): string => join(dir, name);

function openssl(...args: string[]): void {
  const result = spawnSync('openssl', args, { encoding: 'utf8' });
  if (result.error)
    throw new Error(`openssl not found: install it with 'apt-get install openssl'`, { cause: result.error });
  if (result.status !== 0) throw new Error(`openssl ${args.join(' ')} failed:\n${result.stderr}`);
}

/** A self-signed CA (P-256 keys: fast to generate). */
function ca(name: string): void {
  openssl(
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', file(`${name}.key`), '-out', file(`${name}.pem`), '-days', '2', '-subj', `/CN=${name}`],
  );
}

/** A leaf certificate for `san`, signed by the CA `caName`. */
function leaf(name: string, caName: string, san: string): void {
  writeFileSync(file(`${name}.ext`), `subjectAltName=${san}\n`);
  openssl(
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', `/CN=${name}`],
  );
  openssl(
    ...[
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${caName}.pem`),
      '-CAkey',
      file(`${caName}.key`),
    ],
    ...['-CAcreateserial', '-out', file(`${name}.pem`), '-days', '2', '-extfile', file(`${name}.ext`)],
  );
}

let nats: NatsServerHandle;
let agent: TestAgent;

beforeAll(async () => {
  ca('test-ca');
  ca('rogue-ca');
  leaf('server', 'test-ca', 'IP:127.0.0.1,DNS:localhost');
  leaf('client', 'test-ca', 'DNS:client');
  leaf('rogue', 'rogue-ca', 'DNS:rogue');
  nats = await startNatsServer();
  const modelsDir = mkdtempSync(join(tmpdir(), 'rigbench-tls-models-'));
  agent = await startTestAgent({
    natsUrl: nats.url,
    modelsDir,
    argv: [
      ...['--tls-cert', file('server.pem'), '--tls-key', file('server.key')],
      ...['--tls-ca', file('test-ca.pem'), '--tls-require-client-cert'],
    ],
  });
});

afterAll(async () => {
  await agent?.stop();
  await nats?.dispose();
});

const pem = (name: string): Buffer => readFileSync(file(name));
const listModels = (channel: ReturnType<typeof credentials.createSsl>) => {
  // Dial by name: TLS server names must not be IP addresses (RFC 6066).
  const client = agentClient(agent.endpoints.grpc.replace('127.0.0.1', 'localhost'), channel);
  return call<AgentRpc.ListModelsRequest, AgentRpc.ListModelsResponse__Output>(
    client,
    client.ListModels,
    {},
  ).finally(() => client.close());
};

test('mTLS - a client certificate signed by tls.ca is accepted', async () => {
  const reply = await listModels(
    credentials.createSsl(pem('test-ca.pem'), pem('client.key'), pem('client.pem')),
  );
  expect(reply.models_dir).not.toBe('');
});

test('mTLS - no client certificate, or one from another CA, is refused', async () => {
  const none = await rejection(listModels(credentials.createSsl(pem('test-ca.pem'))));
  expect(none.code).toBe(status.UNAVAILABLE);
  const rogue = await rejection(
    listModels(credentials.createSsl(pem('test-ca.pem'), pem('rogue.key'), pem('rogue.pem'))),
  );
  expect(rogue.code).toBe(status.UNAVAILABLE);
});

test('TLS - a plaintext client cannot talk to the TLS port', async () => {
  const client = agentClient(agent.endpoints.grpc);
  const error = await rejection(call(client, client.ListModels, {}));
  client.close();
  expect(error.code).toBe(status.UNAVAILABLE);
});
