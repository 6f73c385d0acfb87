import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EVENT_STREAM, ensureSynthModel, type AgentRpc, type RunFinishedEvent } from '@rigbench/shared';
import { call, collect, cpuPlan, startTestAgent, type TestAgent } from './support/agent-harness.js';
import { eventually } from './support/eventually.js';
import { startNatsServer, type NatsServerHandle } from './support/nats-server.js';
import { readStream } from './support/stream-reader.js';

let nats: NatsServerHandle;
let modelsDir: string;
let model: string;

beforeAll(async () => {
  nats = await startNatsServer();
  modelsDir = mkdtempSync(join(tmpdir(), 'rigbench-outage-models-'));
  model = basename(await ensureSynthModel(modelsDir, 'tiny'));
});

afterAll(async () => {
  await nats?.dispose();
});

/** Every stored message of one run, once NATS is up: read with a fresh connection. */
async function storedRun(runId: string): Promise<Array<{ msgId: string; data: string }>> {
  const nc: NatsConnection = await connect({ servers: nats.url });
  try {
    return (await readStream(nc, EVENT_STREAM)).filter((m) => m.subject.endsWith(`.${runId}`));
  } finally {
    await nc.close();
  }
}

const watchAll = (agent: TestAgent, runId: string) =>
  collect<AgentRpc.RunUpdate__Output>(agent.client.WatchRun({ run_id: runId, from_seq: 1 }));

test('NATS stopped mid-run and restarted: the run goes on, every event lands in the stream exactly once', async () => {
  const agent = await startTestAgent({ natsUrl: nats.url, modelsDir });
  try {
    const runId = `outage-${Date.now()}`;
    const plan = cpuPlan(model, { repetitions: 6 } as never);
    await call(agent.client, agent.client.StartRun, { run_id: runId, plan_json: JSON.stringify(plan) });
    const stream = agent.client.WatchRun({ run_id: runId, from_seq: 1 });
    await new Promise<void>((resolve) =>
      stream.on('data', (u: AgentRpc.RunUpdate__Output) => u.type === 'sample.recorded' && resolve()),
    );
    stream.on('error', () => undefined); // CANCELLED, from the cancel below
    stream.cancel();
    await nats.stop();
    // WatchRun does not need NATS: the run completes while events wait in the outbox.
    const updates = await watchAll(agent, runId);
    const finished = JSON.parse(updates.at(-1)?.event_json ?? '{}') as RunFinishedEvent;
    expect(finished.outcome).toBe('completed');
    expect(agent.runtime.publisher.pendingCount()).toBeGreaterThan(0);
    await nats.restart();
    await eventually(() => agent.runtime.publisher.pendingCount() === 0, {
      timeoutMs: 30_000,
      description: 'outbox drained after NATS restart',
    });
    const stored = await storedRun(runId);
    expect(stored.map((m) => m.data)).toEqual(updates.map((u) => u.event_json));
    expect(new Set(stored.map((m) => m.msgId)).size).toBe(updates.length);
  } finally {
    await agent.stop();
  }
});

test('an agent restarted on a non-empty outbox delivers the pending events', async () => {
  const outboxDir = mkdtempSync(join(tmpdir(), 'rigbench-outage-outbox-'));
  await nats.stop();
  const runId = `restart-${Date.now()}`;
  let updates: AgentRpc.RunUpdate__Output[];
  const first = await startTestAgent({
    natsUrl: nats.url,
    modelsDir,
    outboxDir,
    argv: ['--shutdown-grace-seconds', '1'],
  });
  try {
    await call(first.client, first.client.StartRun, {
      run_id: runId,
      plan_json: JSON.stringify(cpuPlan(model)),
    });
    updates = await watchAll(first, runId);
    expect(first.runtime.publisher.pendingCount()).toBe(updates.length);
  } finally {
    await first.stop();
  }
  await nats.restart();
  const second = await startTestAgent({ natsUrl: nats.url, modelsDir, outboxDir });
  try {
    await eventually(() => second.runtime.publisher.pendingCount() === 0, {
      timeoutMs: 30_000,
      description: 'restarted agent drained its outbox',
    });
    const stored = await storedRun(runId);
    expect(stored.map((m) => m.data)).toEqual(updates.map((u) => u.event_json));
  } finally {
    await second.stop();
  }
});
