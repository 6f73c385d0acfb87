/**
 * Wrong TLS client certificates against the real agent binary with mTLS required: only a certificate signed by
 * the configured CA gets in, whoever else tries (no certificate, another CA, self-signed, a server-only
 * certificate, plaintext), and the controller CLI shows the same with its own TLS settings.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, status, type ChannelCredentials } from '@grpc/grpc-js';
import type { AgentRpc } from '@rigbench/shared';
import { agentClient, call, rejection } from '../support/agent-harness.js';
import { faultsFixture } from './support/faults-fixture.js';
import { recordFigure } from './support/figures.js';
import { cli, startAgentProc, type AgentProc } from './support/processes.js';
import { TestPki } from './support/test-pki.js';

const pki = new TestPki();
const fx = faultsFixture({ modelsPrefix: 'rigbench-faults-tls-models-' });
let agent: AgentProc;

beforeAll(async () => {
  pki
    .selfSigned('ca')
    .selfSigned('rogue-ca')
    .selfSigned('lone', false)
    .leaf('server', 'ca', 'IP:127.0.0.1,DNS:localhost', ['extendedKeyUsage=serverAuth'])
    .leaf('client', 'ca', 'DNS:client', ['extendedKeyUsage=clientAuth'])
    .leaf('server-only', 'ca', 'DNS:imposter', ['extendedKeyUsage=serverAuth'])
    .leaf('rogue', 'rogue-ca', 'DNS:rogue', ['extendedKeyUsage=clientAuth']);
  agent = await startAgentProc({
    id: 'faults-tls',
    natsUrl: fx.nats.url,
    modelsDir: fx.modelsDir,
    args: [
      ...['--tls-cert', pki.file('server.pem'), '--tls-key', pki.file('server.key')],
      ...['--tls-ca', pki.file('ca.pem'), '--tls-require-client-cert'],
    ],
  });
});

fx.teardown(async () => {
  await agent?.kill('SIGTERM');
});

const pem = (name: string): Buffer => readFileSync(pki.file(name));

/** ListModels over `channel`; dialled by name because TLS server names must not be IP addresses. */
async function listModels(channel: ChannelCredentials, host = 'localhost'): Promise<unknown> {
  const client = agentClient(agent.grpc.replace('127.0.0.1', host), channel);
  try {
    return await call<AgentRpc.ListModelsRequest, AgentRpc.ListModelsResponse__Output>(
      client,
      client.ListModels,
      {},
    );
  } finally {
    client.close();
  }
}

test('mTLS - only a client certificate signed by tls.ca gets in', async () => {
  const wrong: Array<[string, ChannelCredentials, string?]> = [
    ['no client certificate', credentials.createSsl(pem('ca.pem'))],
    ['certificate of another CA', credentials.createSsl(pem('ca.pem'), pem('rogue.key'), pem('rogue.pem'))],
    ['self-signed certificate', credentials.createSsl(pem('ca.pem'), pem('lone.key'), pem('lone.pem'))],
    [
      'right CA, server-only certificate',
      credentials.createSsl(pem('ca.pem'), pem('server-only.key'), pem('server-only.pem')),
    ],
    ['plaintext', credentials.createInsecure(), '127.0.0.1'],
  ];
  let refused = 0;
  const answers: string[] = [];
  for (const [what, channel, host] of wrong) {
    const error = await rejection(listModels(channel, host));
    answers.push(`${what}: ${status[error.code]}`);
    if (error.code === status.UNAVAILABLE || error.code === status.UNAUTHENTICATED) refused += 1;
  }
  const accepted = await listModels(
    credentials.createSsl(pem('ca.pem'), pem('client.key'), pem('client.pem')),
  )
    .then(() => true)
    .catch(() => false);

  // The controller with the right and with a rogue client certificate.
  const base = { RIGBENCH_NATS_SERVERS: fx.nats.url, RIGBENCH_STORE: join(pki.dir, 'store.db') };
  const address = agent.grpc.replace('127.0.0.1', 'localhost');
  const good = cli(['info', address, '--json'], {
    ...base,
    RIGBENCH_AGENT_TLS_CA: pki.file('ca.pem'),
    RIGBENCH_AGENT_TLS_CERT: pki.file('client.pem'),
    RIGBENCH_AGENT_TLS_KEY: pki.file('client.key'),
  });
  const rogue = cli(['info', address, '--json'], {
    ...base,
    RIGBENCH_AGENT_TLS_CA: pki.file('ca.pem'),
    RIGBENCH_AGENT_TLS_CERT: pki.file('rogue.pem'),
    RIGBENCH_AGENT_TLS_KEY: pki.file('rogue.key'),
  });
  const cliOk = good.status === 0 && rogue.status !== 0 && rogue.stderr.length > 0;

  recordFigure({
    section: 67,
    scenario: 'Bad input: wrong TLS client certificates (mTLS required)',
    measure: `refused of ${wrong.length} wrong (none, other CA, self-signed, server-only, plaintext) / right one accepted / CLI agrees`,
    expected: `${wrong.length} / yes / yes`,
    observed: `${refused} / ${accepted ? 'yes' : 'no'} / ${cliOk ? 'yes' : 'no'}`,
    ok: refused === wrong.length && accepted && cliOk,
  });
  expect({ refused, answers }).toEqual({ refused: wrong.length, answers });
  expect(accepted).toBe(true);
  expect({ good: good.status, stderr: good.stderr }).toMatchObject({ good: 0 });
  expect(rogue.status).not.toBe(0);
});
