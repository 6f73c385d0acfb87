/**
 * The controller hands an agent's bearer token to an address taken from a heartbeat only when TLS proves the
 * server there is that agent: its certificate, signed by `agentTls.ca`, must name the agent id (the client checks
 * the id, not the address the heartbeat gave). Real certificates made with openssl at test time, real gRPC over
 * TLS on loopback, the controller's own `fleetView` and `AgentClient`; the server records what reached it.
 */
import { readFileSync } from 'node:fs';
import { Server, ServerCredentials, type Metadata } from '@grpc/grpc-js';
import { loadAgentProto, type AgentHeartbeat } from '@rigbench/shared';
import { AgentClient } from '../apps/controller/src/fleet/agent-client.js';
import { fleetView } from '../apps/controller/src/fleet/fleet-view.js';
import { TestPki } from './faults/support/test-pki.js';
import { forgedHeartbeat } from './support/forged-agent.js';

const TOKEN = 'fleet-token-0123456789abcdef';
const pki = new TestPki();
pki
  .selfSigned('ca')
  .leaf('rig-a', 'ca', 'DNS:rig-a', ['extendedKeyUsage=serverAuth'])
  .leaf('rig-b', 'ca', 'DNS:rig-b', ['extendedKeyUsage=serverAuth'])
  .leaf('no-san', 'ca', '', ['extendedKeyUsage=serverAuth']);

/** A gRPC AgentService on loopback presenting `certName`'s certificate; records the authorization it receives. */
interface RecordingAgent {
  address: string;
  /** The `authorization` header of every call that reached a handler. */
  calls: Array<string | undefined>;
  stop(): Promise<void>;
}

async function startAgentServer(certName: string | null): Promise<RecordingAgent> {
  const calls: Array<string | undefined> = [];
  const server = new Server();
  const proto = loadAgentProto();
  server.addService(proto.rigbench.v1.AgentService.service, {
    GetInfo: (
      call: { metadata: Metadata },
      callback: (error: Error | null, response?: Record<string, unknown>) => void,
    ) => {
      calls.push(call.metadata.get('authorization')[0]?.toString());
      callback(null, { agent_id: 'whoever', version: 'test' });
    },
  } as never);
  const credentials =
    certName === null
      ? ServerCredentials.createInsecure()
      : ServerCredentials.createSsl(null, [
          {
            cert_chain: readFileSync(pki.file(`${certName}.pem`)),
            private_key: readFileSync(pki.file(`${certName}.key`)),
          },
        ]);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', credentials, (error, bound) => (error ? reject(error) : resolve(bound))),
  );
  return {
    address: `127.0.0.1:${port}`,
    calls,
    stop: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}

const heartbeat = (agentId: string, address: string): AgentHeartbeat => forgedHeartbeat(agentId, address, 5);

const fleet = {
  staleAfterIntervals: 2.5,
  lostAfterIntervals: 6,
  listenMs: 1000,
  trustHeartbeatAddresses: false,
};

/** What the controller does with rig-a's heartbeat pointing at `address`: GetInfo through its own client. */
async function getInfoViaHeartbeat(
  address: string,
  agentTls: { ca: string } | undefined,
): Promise<{ ok: boolean; error: string; tokenSent: boolean }> {
  const now = Date.now();
  const [agent] = fleetView(
    { agents: [], agentToken: TOKEN, ...(agentTls ? { agentTls } : {}), fleet },
    new Map([['rig-a', { heartbeat: heartbeat('rig-a', address), receivedAtMs: now }]]),
    [],
    now,
  );
  const client = new AgentClient(agent!.endpoint, { deadlineMs: 5_000, keepaliveMs: 300_000 });
  try {
    await client.getInfo();
    return { ok: true, error: '', tokenSent: agent!.endpoint.token !== undefined };
  } catch (error) {
    return { ok: false, error: String(error), tokenSent: agent!.endpoint.token !== undefined };
  } finally {
    client.close();
  }
}

describe('agent-id naming over TLS (real certificates, real gRPC on loopback)', () => {
  const servers: RecordingAgent[] = [];
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
  });
  const start = async (cert: string | null): Promise<RecordingAgent> => {
    const server = await startAgentServer(cert);
    servers.push(server);
    return server;
  };
  const ca = { ca: pki.file('ca.pem') };

  test('tls naming - a certificate naming agent rig-a at its heartbeat address gets the token', async () => {
    const server = await start('rig-a');
    const result = await getInfoViaHeartbeat(server.address, ca);
    expect(result).toMatchObject({ ok: true, tokenSent: true });
    expect(server.calls).toEqual([`Bearer ${TOKEN}`]);
  });

  test.each([
    ['a certificate naming rig-b', 'rig-b'],
    ['a certificate without a subjectAltName', 'no-san'],
  ])(
    'tls naming - %s at rig-a heartbeat address: the handshake fails, no call and no token reach it',
    async (_what, cert) => {
      const server = await start(cert);
      const result = await getInfoViaHeartbeat(server.address, ca);
      expect(result.ok).toBe(false);
      // The client refused the server's identity before sending anything.
      expect(result.error).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID.*Host: rig-a\b/);
      expect(server.calls).toEqual([]);
    },
  );

  test('tls naming - without an agent TLS CA a heartbeat-only address is called without the token', async () => {
    const server = await start(null);
    const result = await getInfoViaHeartbeat(server.address, undefined);
    expect(result).toMatchObject({ ok: true, tokenSent: false });
    expect(server.calls).toEqual([undefined]);
  });
});
