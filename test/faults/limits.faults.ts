/**
 * Bounded input against the real agent binary (issue 13, item 2): plans that used to exhaust the node — millions of
 * cases, a thousand threads, a batch larger than its context, megabytes of free text, a plan too large to travel
 * as an event — are refused at StartRun with the field and the limit named, before any work; CancelRun kills a
 * running case's worker at once.
 */
import { status } from '@grpc/grpc-js';
import type { AgentRpc, RigbenchEvent, RunFinishedEvent } from '@rigbench/shared';
import { authMetadata, call, collect, rejection } from '../support/agent-harness.js';
import { eventually } from '../support/eventually.js';
import { faultsFixture, fixtureAgent } from './support/faults-fixture.js';
import { recordFigure } from './support/figures.js';
import { basePlan } from './support/malformed-plans.js';
import { childPids } from './support/processes.js';

const TOKEN = 'faults-limits-token-5d1e';
const auth = authMetadata(`Bearer ${TOKEN}`);

const fx = faultsFixture({ modelsPrefix: 'rigbench-faults-limits-models-' });
const agent = fixtureAgent(fx, { id: 'faults-limits', token: TOKEN });
let runNo = 0;

const startRun = (plan: unknown, runId = `limits-${++runNo}`) =>
  call<AgentRpc.StartRunRequest, AgentRpc.StartRunResponse__Output>(
    agent.client,
    agent.client.StartRun,
    { run_id: runId, plan_json: JSON.stringify(plan) },
    auth,
  ).then((accepted) => ({ runId, accepted }));

const getInfo = () =>
  call<AgentRpc.GetInfoRequest, AgentRpc.AgentInfo__Output>(agent.client, agent.client.GetInfo, {}, auth);

async function runEvents(runId: string): Promise<RigbenchEvent[]> {
  const updates = await collect<AgentRpc.RunUpdate__Output>(
    agent.client.WatchRun({ run_id: runId, from_seq: 1 }, auth),
  );
  return updates.map((u) => JSON.parse(u.event_json) as RigbenchEvent);
}

const range = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);

test('absurd sizes - refused at StartRun naming the field and the limit, before any work; the agent runs on', async () => {
  const base = basePlan(fx.model);
  const matrix = base['matrix'] as Record<string, unknown>;
  const cases: Array<{ name: string; plan: Record<string, unknown>; field: RegExp; limit: RegExp }> = [
    {
      name: '9 M cases',
      plan: {
        ...base,
        models: range(30, 0).map((i) => ({ id: `m${i}`, source: fx.model })),
        prompts: { chat: range(30, 0).map((i) => ({ id: `q${i}`, text: 'hi' })) },
        matrix: { ...matrix, contextSize: range(100, 4096), batchSize: range(100, 1) },
        generation: { maxTokens: 8 },
      },
      field: /matrix: the plan expands to 9000000 cases/,
      limit: /limits\.maxCases = 10000/,
    },
    {
      name: 'threads 1024',
      plan: { ...base, matrix: { ...matrix, threads: [1024] } },
      field: /matrix\.threads\[0\]/,
      limit: /limits\.threads = \d+/,
    },
    {
      name: 'batch larger than context',
      plan: { ...base, matrix: { ...matrix, batchSize: [4096] } },
      field: /matrix\.batchSize\[0\]/,
      limit: /contextSize 256/,
    },
    {
      name: '1.2 MB description',
      plan: { ...base, description: 'd'.repeat(1_200_000) },
      field: /description/,
      limit: /at most 10000 characters/,
    },
    {
      name: '1.2 MB of prompts (run.accepted over max_payload)',
      plan: {
        ...base,
        prompts: { chat: range(12, 0).map((i) => ({ id: `long${i}`, text: 'p'.repeat(100_000) })) },
      },
      field: /plan_json: the plan makes a run\.accepted event of \d+ bytes/,
      limit: /at most \d+ bytes \(the NATS server's max_payload/,
    },
    {
      name: 'hf: source with downloads off (the default)',
      plan: { ...base, models: [{ id: 'remote', source: 'hf:someone/some-model-GGUF:Q4_K_M' }] },
      field: /models\[0\]\.source/,
      limit: /model downloads are off on this agent \(downloads\.enabled\)/,
    },
  ];
  const answers: string[] = [];
  let refused = 0;
  let slowestMs = 0;
  for (const { name, plan, field, limit } of cases) {
    const started = performance.now();
    const error = await rejection(startRun(plan));
    slowestMs = Math.max(slowestMs, performance.now() - started);
    answers.push(`${name}: ${status[error.code]} ${error.details.slice(0, 300)}`);
    if (error.code === status.INVALID_ARGUMENT && field.test(error.details) && limit.test(error.details))
      refused += 1;
  }
  const info = await getInfo();
  const { runId } = await startRun(base);
  const finished = (await runEvents(runId)).at(-1) as RunFinishedEvent;
  const works = finished.outcome === 'completed' && !info.busy;
  recordFigure({
    section: 70,
    scenario:
      'Bounded input: 9 M cases, threads 1024, batch > context, 1.2 MB description, 1.2 MB plan, hf: download',
    measure: 'refused naming field and limit / slowest answer / agent runs a good plan afterwards',
    expected: `${cases.length} / - / yes`,
    observed: `${refused} / ${Math.round(slowestMs)} ms / ${works ? 'yes' : 'no'}`,
    ok: refused === cases.length && works,
  });
  expect({ refused, answers }).toEqual({ refused: cases.length, answers });
  expect(works).toBe(true);
});

test('CancelRun kills the running case at once: the worker is gone, the case fails as cancelled', async () => {
  await eventually(async () => !(await getInfo()).busy, { timeoutMs: 60_000, description: 'agent idle' });
  // Long enough that it cannot finish by itself while the test looks: 100 repetitions of 200 generated tokens.
  const plan = {
    ...basePlan(fx.model),
    prompts: { raw: [{ id: 'tg200', promptTokens: 0, generatedTokens: 200 }] },
    generation: { maxTokens: 8, ignoreEos: true },
    repetitions: 100,
  };
  const { runId } = await startRun(plan);
  const updates = agent.client.WatchRun({ run_id: runId, from_seq: 1 }, auth);
  const events: RigbenchEvent[] = [];
  updates.on('data', (u: AgentRpc.RunUpdate__Output) =>
    events.push(JSON.parse(u.event_json) as RigbenchEvent),
  );
  const ended = new Promise<void>((done) => updates.on('end', done));
  await eventually(() => events.some((e) => e.type === 'sample.recorded'), {
    timeoutMs: 120_000,
    description: 'first sample of the long case',
  });
  const workers = childPids(agent.proc.pid);
  expect(workers.length).toBeGreaterThan(0);
  const started = performance.now();
  await call(agent.client, agent.client.CancelRun, { run_id: runId, reason: 'fault suite' }, auth);
  const answeredMs = performance.now() - started;
  await eventually(() => workers.every((pid) => !childPids(agent.proc.pid).includes(pid)), {
    timeoutMs: 10_000,
    description: 'worker killed',
  });
  const killedMs = performance.now() - started;
  await ended;
  const finished = events.at(-1) as RunFinishedEvent;
  const caseFinished = events.find((e) => e.type === 'case.finished');
  const ok =
    finished.type === 'run.finished' &&
    finished.outcome === 'cancelled' &&
    caseFinished?.type === 'case.finished' &&
    caseFinished.outcome === 'failed';
  recordFigure({
    section: 71,
    scenario: 'Bounded input: CancelRun during a 100 x 200-token case',
    measure: 'CancelRun answered / worker gone / run cancelled, case failed',
    expected: '- / - / yes',
    observed: `${Math.round(answeredMs)} ms / ${Math.round(killedMs)} ms / ${ok ? 'yes' : 'no'}`,
    ok,
  });
  expect(ok).toBe(true);
});
