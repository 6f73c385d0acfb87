/**
 * One identity per agent, against a real nats-server configured with the users `deploy/nats/agent-user.sh`
 * prints: agent A delivers its own events, but cannot publish events or heartbeats as agent B, nor read B's
 * inbox. And the controller, shown a heartbeat it cannot verify, dials the address without the fleet's token.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { agentInboxPrefix, EVENT_STREAM, heartbeatSubject } from '@rigbench/shared';
import { EventPublisher } from '../apps/agent/src/events/index.js';
import { assertBuilt, RIGBENCH_CLI } from './support/binaries.js';
import { eventually } from './support/eventually.js';
import { publishForgedHeartbeats, startAuthRecorder } from './support/forged-agent.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { readStream } from './support/stream-reader.js';
import { makeRunEvents } from './support/run-events.js';

const AGENT_USER_SH = new URL('../deploy/nats/agent-user.sh', import.meta.url).pathname;
const PASSWORDS = { 'agent-a': 'pw-a-41c9', 'agent-b': 'pw-b-88d2', controller: 'pw-ctl-07aa' };

let work: string;
let nats: NatsServerHandle;
const connections: NatsConnection[] = [];
const publishers: EventPublisher[] = [];

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'rigbench-identity-'));
  const users = ['agent-a', 'agent-b']
    .map((id) => execFileSync(AGENT_USER_SH, [id], { encoding: 'utf8' }))
    .join('\n');
  // Deployments give $NATS_PW_* in the server's environment; here the file defines them (same resolution).
  const variables = [
    `NATS_PW_AGENT_A: "${PASSWORDS['agent-a']}"`,
    `NATS_PW_AGENT_B: "${PASSWORDS['agent-b']}"`,
    `NATS_PW_CONTROLLER: "${PASSWORDS.controller}"`,
  ].join('\n');
  writeFileSync(
    join(work, 'auth.conf'),
    `${variables}\nauthorization {\n  users = [\n${users}\n    { user: controller, password: $NATS_PW_CONTROLLER }\n  ]\n}\n`,
  );
  nats = await startNatsServer({ args: ['-c', join(work, 'auth.conf')] });
});

afterAll(async () => {
  for (const publisher of publishers) await publisher.stop({ timeoutMs: 0 });
  for (const nc of connections) await nc.close();
  await nats?.dispose();
  rmSync(work, { recursive: true, force: true });
});

async function connectAs(user: keyof typeof PASSWORDS, inboxPrefix?: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: nats.url,
    user,
    pass: PASSWORDS[user],
    ...(inboxPrefix ? { inboxPrefix } : {}),
  });
  connections.push(nc);
  return nc;
}

/** Collects the permission violations the server reports on `nc`. */
function violations(nc: NatsConnection): string[] {
  const seen: string[] = [];
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'error' && /permission/i.test(String(status.error)))
        seen.push(String(status.error));
    }
  })();
  return seen;
}

async function startPublisher(agentId: 'agent-a' | 'agent-b'): Promise<EventPublisher> {
  const publisher = new EventPublisher({
    agentId,
    nats: { servers: [nats.url], user: agentId, password: PASSWORDS[agentId] },
    outbox: { dir: mkdtempSync(join(work, `outbox-${agentId}-`)), maxBytes: 1 << 20 },
    retryMaxMs: 200,
  });
  publishers.push(publisher);
  await publisher.start();
  return publisher;
}

test('agent user - delivers its own events through the real publisher (own inbox, stream created)', async () => {
  const publisher = await startPublisher('agent-a');
  for (const event of makeRunEvents('agent-a', 'run-a', 10)) await publisher.publish(event);
  expect(await publisher.flush(15_000)).toBe(true);
  const controller = await connectAs('controller');
  const stored = (await readStream(controller, EVENT_STREAM)).filter((m) =>
    m.subject.startsWith('rigbench.events.agent-a.'),
  );
  expect(stored).toHaveLength(10);
});

test('agent user - A cannot publish events or heartbeats as B: refused by the server, nothing stored or heard', async () => {
  const controller = await connectAs('controller');
  const heard: string[] = [];
  const sub = controller.subscribe('rigbench.heartbeat.>', {
    callback: (_e, msg) => void heard.push(msg.subject),
  });
  await controller.flush();
  const a = await connectAs('agent-a', agentInboxPrefix('agent-a'));
  const refused = violations(a);
  const forgedEvent = makeRunEvents('agent-b', 'run-forged', 1)[0];
  a.publish('rigbench.events.agent-b.run-forged', JSON.stringify(forgedEvent));
  a.publish(heartbeatSubject('agent-b'), JSON.stringify({ type: 'agent.heartbeat', agentId: 'agent-b' }));
  a.publish(heartbeatSubject('agent-a'), JSON.stringify({ type: 'agent.heartbeat', agentId: 'agent-a' }));
  await a.flush();
  // A JetStream publish as B is refused too (no PubAck ever comes).
  await expect(
    jetstream(a).publish('rigbench.events.agent-b.run-forged', 'x', { timeout: 1_000 }),
  ).rejects.toThrow();
  await eventually(() => refused.length >= 2 && heard.includes(heartbeatSubject('agent-a')), {
    timeoutMs: 10_000,
    description: 'two permission violations reported and A heard as itself',
  });
  sub.unsubscribe();
  expect(heard).toEqual([heartbeatSubject('agent-a')]);
  expect(refused.join('\n')).toMatch(/rigbench\.events\.agent-b\.run-forged/);
  expect(refused.join('\n')).toMatch(/rigbench\.heartbeat\.agent-b/);
  const stored = (await readStream(controller, EVENT_STREAM)).filter((m) => m.subject.includes('agent-b'));
  expect(stored).toEqual([]);
});

test("agent user - A cannot read B's inbox: the subscription is refused and B's acks reach only B", async () => {
  const a = await connectAs('agent-a', agentInboxPrefix('agent-a'));
  const refused = violations(a);
  const spied: string[] = [];
  a.subscribe(`${agentInboxPrefix('agent-b')}.>`, {
    callback: (error, msg) => void (error ? undefined : spied.push(msg.subject)),
  });
  a.subscribe('_INBOX.>', { callback: (error, msg) => void (error ? undefined : spied.push(msg.subject)) });
  await a.flush();
  const b = await startPublisher('agent-b');
  for (const event of makeRunEvents('agent-b', 'run-b', 5)) await b.publish(event);
  expect(await b.flush(15_000)).toBe(true);
  await eventually(() => refused.length >= 2, {
    timeoutMs: 10_000,
    description: 'both subscriptions refused',
  });
  expect(refused.join('\n')).toMatch(/subscription to "_INBOX\.agent-b\.>"/i);
  expect(spied).toStrictEqual([]);
});

test('controller - a forged heartbeat gets no token; the configured address of that agent does', async () => {
  assertBuilt();
  // Two stand-in agents that record the authorization header they are sent.
  const forged = await startAuthRecorder('rig-x');
  const real = await startAuthRecorder('rig-x');
  // Someone who may publish heartbeats (here the controller's own user) announces rig-x at their address.
  const stopForging = publishForgedHeartbeats(await connectAs('controller'), 'rig-x', forged.address);
  try {
    const env = {
      PATH: process.env['PATH'] ?? '',
      HOME: work,
      RIGBENCH_NATS_SERVERS: nats.url,
      RIGBENCH_NATS_USER: 'controller',
      RIGBENCH_NATS_PASSWORD: PASSWORDS.controller,
      RIGBENCH_STORE: join(work, 'store.db'),
      RIGBENCH_AGENT_TOKEN: 'fleet-token-never-to-strangers',
      RIGBENCH_FLEET_LISTEN_SECONDS: '3',
    };
    // Not spawnSync: the forged heartbeats are sent from this process's event loop while the CLI listens.
    const run = (args: string[], extra: Record<string, string> = {}) =>
      new Promise<{ status: number | null; stdout: string; stderr: string }>((done) => {
        const child = spawn(process.execPath, [RIGBENCH_CLI, ...args], { env: { ...env, ...extra } });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        child.once('exit', (status) => done({ status, stdout, stderr }));
      });
    const heardOnly = await run(['info', 'rig-x', '--json']);
    expect(heardOnly.status).toBe(0);
    expect(forged.seen).toEqual([null]);
    const agents = await run(['agents']);
    expect(agents.stderr).toMatch(
      /rig-x: no token sent: address 127\.0\.0\.1:\d+ comes from a heartbeat only/,
    );
    // Configured statically: the configured address wins over the heartbeat's, and gets the token.
    const configured = await run(['info', 'rig-x', '--json'], {
      RIGBENCH_AGENTS: JSON.stringify([{ id: 'rig-x', address: real.address }]),
    });
    expect(configured.status).toBe(0);
    expect(real.seen).toEqual(['Bearer fleet-token-never-to-strangers']);
    expect(forged.seen.every((header) => header === null)).toBe(true);
  } finally {
    stopForging();
    for (const stand of [forged, real]) stand.server.forceShutdown();
  }
});
