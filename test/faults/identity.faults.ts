/**
 * One identity per agent with the real binaries (issue 13, item 1): two agent binaries on a nats-server whose
 * users come from `deploy/nats/agent-user.sh` run plans and heartbeat with only their own permissions; a
 * connection with agent A's credentials cannot publish as B or read B's inbox; the controller CLI, shown a forged
 * heartbeat, dials its address without the fleet token.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import {
  agentInboxPrefix,
  EVENT_STREAM,
  heartbeatSubject,
  type AgentRpc,
  type RunFinishedEvent,
  type RigbenchEvent,
} from '@rigbench/shared';
import { agentClient, authMetadata, call, collect } from '../support/agent-harness.js';
import { eventually } from '../support/eventually.js';
import { publishForgedHeartbeats, startAuthRecorder } from '../support/forged-agent.js';
import { readStream } from '../support/stream-reader.js';
import { faultsFixture } from './support/faults-fixture.js';
import { recordFigure } from './support/figures.js';
import { basePlan } from './support/malformed-plans.js';
import { CLI_MAIN, spawnNode, startAgentProc } from './support/processes.js';

const AGENT_USER_SH = new URL('../../deploy/nats/agent-user.sh', import.meta.url).pathname;
const PASSWORDS = { 'faults-id-a': 'pw-a-5c1e', 'faults-id-b': 'pw-b-93f0', controller: 'pw-ctl-2b7d' };
const TOKEN = 'faults-identity-fleet-token-0123456789';

let work: string;
const connections: NatsConnection[] = [];

/** Writes the server's users, as `deploy/nats/agent-user.sh` prints them, into `work`; returns the config file. */
function writeAuthConf(): string {
  work = mkdtempSync(join(tmpdir(), 'rigbench-faults-identity-'));
  const users = ['faults-id-a', 'faults-id-b']
    .map((id) => execFileSync(AGENT_USER_SH, [id], { encoding: 'utf8' }))
    .join('\n');
  // Deployments give $NATS_PW_* in the server's environment; here the file defines them (same resolution).
  writeFileSync(
    join(work, 'auth.conf'),
    `NATS_PW_FAULTS_ID_A: "${PASSWORDS['faults-id-a']}"\nNATS_PW_FAULTS_ID_B: "${PASSWORDS['faults-id-b']}"\n` +
      `authorization {\n  users = [\n${users}\n    { user: controller, password: "${PASSWORDS.controller}" }\n  ]\n}\n`,
  );
  return join(work, 'auth.conf');
}

const fx = faultsFixture({
  modelsPrefix: 'rigbench-faults-identity-models-',
  nats: () => ({ args: ['-c', writeAuthConf()] }),
});
const { procs } = fx;
fx.teardown(async () => {
  for (const nc of connections) await nc.close();
});

async function connectAs(user: keyof typeof PASSWORDS, inboxPrefix?: string): Promise<NatsConnection> {
  const nc = await connect({
    servers: fx.nats.url,
    user,
    pass: PASSWORDS[user],
    ...(inboxPrefix ? { inboxPrefix } : {}),
  });
  connections.push(nc);
  return nc;
}

test('per-agent NATS users - each agent binary runs and heartbeats as itself; A cannot speak as B or read its inbox', async () => {
  const controller = await connectAs('controller');
  const heard = new Map<string, number>();
  controller.subscribe('rigbench.heartbeat.>', {
    callback: (_e, msg) => void heard.set(msg.subject, (heard.get(msg.subject) ?? 0) + 1),
  });
  const completed: string[] = [];
  for (const id of ['faults-id-a', 'faults-id-b'] as const) {
    const agent = await startAgentProc({
      id,
      natsUrl: fx.nats.url,
      modelsDir: fx.modelsDir,
      env: { RIGBENCH_AGENT_NATS_USER: id, RIGBENCH_AGENT_NATS_PASSWORD: PASSWORDS[id] },
    });
    procs.push(agent);
    const client = agentClient(agent.grpc);
    const runId = `identity-${id}`;
    await call(
      client,
      client.StartRun,
      { run_id: runId, plan_json: JSON.stringify(basePlan(fx.model)) },
      authMetadata(),
    );
    const events = (
      await collect<AgentRpc.RunUpdate__Output>(client.WatchRun({ run_id: runId, from_seq: 1 }))
    ).map((u) => JSON.parse(u.event_json) as RigbenchEvent);
    client.close();
    if ((events.at(-1) as RunFinishedEvent).outcome === 'completed') completed.push(id);
    await eventually(async () => (await agent.metric('rigbench_outbox_pending_events')) === 0, {
      timeoutMs: 30_000,
      description: `${id} delivered its events`,
    });
  }
  // A's credentials, used by someone else: every attempt to speak as B or listen to B is refused by the server.
  const a = await connectAs('faults-id-a', agentInboxPrefix('faults-id-a'));
  const refused: string[] = [];
  void (async () => {
    for await (const status of a.status()) if (status.type === 'error') refused.push(String(status.error));
  })();
  const spied: string[] = [];
  a.subscribe(`${agentInboxPrefix('faults-id-b')}.>`, {
    callback: (error, msg) => void (error ? undefined : spied.push(msg.subject)),
  });
  a.publish('rigbench.events.faults-id-b.forged', '{}');
  a.publish(heartbeatSubject('faults-id-b'), '{}');
  await a.flush();
  await eventually(() => refused.length >= 3, { timeoutMs: 10_000, description: 'three refusals' });
  await eventually(() => (heard.get(heartbeatSubject('faults-id-a')) ?? 0) > 0, { description: 'A heard' });
  const stream = await readStream(controller, EVENT_STREAM);
  const forgedStored = stream.filter((m) => m.subject.endsWith('.forged')).length;
  const stored = (id: string) =>
    stream.filter((m) => m.subject === `rigbench.events.${id}.identity-${id}`).length;
  const bothHeard = heard.has(heartbeatSubject('faults-id-a')) && heard.has(heartbeatSubject('faults-id-b'));
  const ok =
    completed.length === 2 &&
    stored('faults-id-a') > 0 &&
    stored('faults-id-b') > 0 &&
    bothHeard &&
    refused.length >= 3 &&
    forgedStored === 0 &&
    spied.length === 0;
  recordFigure({
    section: 72,
    scenario: 'Identity: two agent binaries with per-agent NATS users (deploy/nats/agent-user.sh)',
    measure:
      'runs completed and stored / heard / refusals of A as B (event, heartbeat, inbox) / forged stored',
    expected: '2 / both / 3 / 0',
    observed: `${completed.length} (${stored('faults-id-a')} + ${stored('faults-id-b')} events) / ${bothHeard ? 'both' : 'not both'} / ${refused.length} / ${forgedStored}`,
    ok,
  });
  expect({ completed, bothHeard, refusedAtLeast3: refused.length >= 3, forgedStored, spied }).toStrictEqual({
    completed: ['faults-id-a', 'faults-id-b'],
    bothHeard: true,
    refusedAtLeast3: true,
    forgedStored: 0,
    spied: [],
  });
});

test('forged heartbeat - the controller dials the forged address without the fleet token', async () => {
  const { address, seen, server } = await startAuthRecorder('faults-id-x');
  // Whoever holds credentials that may publish heartbeats (here the controller user) announces an agent at their
  // own address.
  const stopForging = publishForgedHeartbeats(await connectAs('controller'), 'faults-id-x', address);
  try {
    const info = spawnNode(CLI_MAIN, ['info', 'faults-id-x', '--json'], {
      RIGBENCH_NATS_SERVERS: fx.nats.url,
      RIGBENCH_NATS_USER: 'controller',
      RIGBENCH_NATS_PASSWORD: PASSWORDS.controller,
      RIGBENCH_STORE: join(work, 'store.db'),
      RIGBENCH_AGENT_TOKEN: TOKEN,
      RIGBENCH_FLEET_LISTEN_SECONDS: '3',
    });
    const code = await info.exit;
    const tokenSent = seen.some((header) => header?.includes(TOKEN) === true);
    recordFigure({
      section: 73,
      scenario: 'Identity: forged heartbeat pointing rigbench info at another address',
      measure: 'calls the forged address got / of them with the fleet token / CLI exit',
      expected: '1 / 0 / 0',
      observed: `${seen.length} / ${seen.filter((h) => h !== null).length} / ${code}`,
      ok: seen.length === 1 && !tokenSent && code === 0,
    });
    expect({ calls: seen, code }).toEqual({ calls: [null], code: 0 });
  } finally {
    stopForging();
    server.forceShutdown();
  }
});
