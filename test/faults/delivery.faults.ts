/**
 * Delivery under faults, all real processes: nats-server (JetStream on disk), the agent binary, `rigbench collect`
 * and `rigbench run`. NATS is SIGKILLed and restarted five times during one run; the collector is SIGKILLed
 * mid-run and restarted after it. The store must end up with every sample exactly once.
 */
import { connect } from '@nats-io/transport-node';
import { EVENT_STREAM } from '@rigbench/shared';
import { eventually } from '../support/eventually.js';
import { readStream } from '../support/stream-reader.js';
import {
  collectorTotal,
  controllerSetup,
  dispatch,
  startCollector,
  watchRun,
  writePlan,
  type ControllerSetup,
} from './support/controller.js';
import { faultsFixture } from './support/faults-fixture.js';
import { recordFigure } from './support/figures.js';
import { cli, startAgentProc, type AgentProc, type Proc } from './support/processes.js';
import { complete, readRun } from './support/store-reader.js';

const AGENT = 'faults-delivery';
const fx = faultsFixture();
let agent: AgentProc;
let setup: ControllerSetup;
let collector: Proc;

beforeAll(async () => {
  agent = await startAgentProc({ id: AGENT, natsUrl: fx.nats.url, modelsDir: fx.modelsDir });
  // The worker-thread store writer here (what machines with 4+ CPUs get); the other scenarios use the inline one.
  setup = controllerSetup(fx.nats.url, [{ id: AGENT, address: agent.grpc }], {
    RIGBENCH_COLLECTOR_WRITER: 'worker',
  });
  collector = await startCollector(setup);
});

fx.teardown(async () => {
  await collector?.kill('SIGTERM');
  await agent?.kill('SIGTERM');
});

/** Waits for the run to be complete in the store; on timeout says what the store, the CLI and collector saw. */
async function storedComplete(runId: string, timeoutMs = 60_000): Promise<ReturnType<typeof readRun>> {
  try {
    return await eventually(
      () => {
        const run = readRun(setup.storePath, runId);
        return complete(run) && run;
      },
      { timeoutMs, intervalMs: 200, description: `run ${runId} complete in the store` },
    );
  } catch (error) {
    const show = cli(['show', runId, '--no-sync'], setup.env);
    throw new Error(
      `${(error as Error).message}\nstore: ${JSON.stringify(readRun(setup.storePath, runId))}\n` +
        `rigbench show:\n${show.stdout}${show.stderr}\ncollector:\n${collector.stderr().slice(-3000)}`,
      { cause: error },
    );
  }
}

/** Stream messages of one run and how many distinct message ids they carry. */
async function streamCounts(runId: string): Promise<{ messages: number; distinct: number }> {
  const nc = await connect({ servers: fx.nats.url });
  try {
    const stored = (await readStream(nc, EVENT_STREAM)).filter((m) => m.subject.endsWith(`.${runId}`));
    return { messages: stored.length, distinct: new Set(stored.map((m) => m.msgId)).size };
  } finally {
    await nc.close();
  }
}

test('NATS SIGKILLed and restarted 5 times during a run: every sample stored exactly once', async () => {
  const KILLS = 5;
  const plan = writePlan(setup.dir, 'nats-restarts', fx.model, { rawPrompts: 5, repetitions: 100 });
  const ackedBefore = (await agent.metric('rigbench_events_acked_total')) ?? 0;
  const runId = dispatch(setup, plan, AGENT);
  const watch = watchRun(agent.grpc, runId);
  const total = 5 * 100;
  const step = Math.floor(total / (KILLS + 2));
  let pendingPeak = 0;
  let samplesWhileDown = 0;
  const downtimes: number[] = [];
  try {
    for (let k = 1; k <= KILLS; k++) {
      await eventually(() => watch.samples() >= k * step, {
        timeoutMs: 120_000,
        description: `${k * step} samples`,
      });
      const before = watch.samples();
      const downAt = Date.now();
      await fx.nats.kill('SIGKILL');
      // Samples recorded while NATS is gone can only be in the agent's outbox; keep it down a while.
      await eventually(() => watch.samples() >= before + 10 && Date.now() - downAt >= 1000, {
        timeoutMs: 60_000,
        description: 'samples while NATS is down',
      });
      pendingPeak = Math.max(pendingPeak, (await agent.metric('rigbench_outbox_pending_events')) ?? 0);
      samplesWhileDown += watch.samples() - before;
      await fx.nats.restart();
      downtimes.push(Date.now() - downAt);
    }
    const finished = await watch.finished;
    const expected = Object.values(finished.samplesPerCase).reduce((a, b) => a + b, 0);
    const stored = await storedComplete(runId);
    const stream = await streamCounts(runId);
    // Heartbeats are core NATS, not JetStream: every ack here is for an event of this run, resends included.
    const acked = await eventually(
      async () => {
        const n = ((await agent.metric('rigbench_events_acked_total')) ?? 0) - ackedBefore;
        return n >= finished.lastSeq && n;
      },
      { description: 'every event acknowledged' },
    );
    const scenario = `NATS SIGKILLed and restarted ${downtimes.length}x during one run`;
    recordFigure({
      section: 10,
      scenario,
      measure: 'samples recorded by the agent / stored',
      expected: 'equal',
      observed: `${expected} / ${stored.samples}`,
      ok: expected === stored.samples && expected === watch.samples(),
    });
    recordFigure({
      section: 10,
      scenario,
      measure: 'samples lost / duplicate samples in the store',
      expected: '0 / 0',
      observed: `${expected - stored.samples} / ${stored.duplicateSamples}`,
      ok: expected === stored.samples && stored.duplicateSamples === 0,
    });
    recordFigure({
      section: 10,
      scenario,
      measure: 'events in the stream / distinct message ids (JetStream de-duplication)',
      expected: 'equal',
      observed: `${stream.messages} / ${stream.distinct}`,
      ok: stream.messages === stream.distinct && stream.messages === finished.lastSeq,
    });
    recordFigure({
      section: 10,
      scenario,
      measure: 'events acknowledged by JetStream, resends after a reconnect included / kept in the stream',
      expected: 'acks ≥ kept',
      observed: `${acked} / ${stream.messages}`,
      ok: acked >= stream.messages,
    });
    recordFigure({
      section: 10,
      scenario,
      measure: 'samples recorded while NATS was down / peak outbox backlog (events) / mean outage',
      expected: '> 0',
      observed: `${samplesWhileDown} / ${pendingPeak} / ${(downtimes.reduce((a, b) => a + b, 0) / downtimes.length / 1000).toFixed(1)} s`,
      ok: samplesWhileDown > 0 && pendingPeak > 0,
    });
    expect(stored.samples).toBe(expected);
    expect(stored.duplicateSamples).toBe(0);
    expect(stream.messages).toBe(stream.distinct);
    expect(collector.child.exitCode).toBeNull();
  } finally {
    watch.close();
  }
});

test('the collector SIGKILLed mid-run and restarted: it catches up, 0 lost, 0 duplicates', async () => {
  const plan = writePlan(setup.dir, 'collector-kill', fx.model, { rawPrompts: 3, repetitions: 30 });
  const runId = dispatch(setup, plan, AGENT);
  const watch = watchRun(agent.grpc, runId);
  try {
    await eventually(() => readRun(setup.storePath, runId).samples >= 10, {
      timeoutMs: 120_000,
      description: 'collector storing samples',
    });
    await collector.kill('SIGKILL');
    const storedAtKill = readRun(setup.storePath, runId).samples;
    const finished = await watch.finished;
    const storedWhileDown = readRun(setup.storePath, runId).samples;
    collector = await startCollector(setup);
    const expected = Object.values(finished.samplesPerCase).reduce((a, b) => a + b, 0);
    const stored = await storedComplete(runId);
    const scenario =
      'Controller (collector, worker-thread writer) SIGKILLed mid-run, restarted after the run';
    recordFigure({
      section: 20,
      scenario,
      measure: 'samples recorded / stored at the kill / stored after the restart',
      expected: 'recorded = stored after',
      observed: `${expected} / ${storedAtKill} / ${stored.samples}`,
      ok: expected === stored.samples && storedWhileDown === storedAtKill,
    });
    recordFigure({
      section: 20,
      scenario,
      measure: 'samples lost / duplicate samples in the store',
      expected: '0 / 0',
      observed: `${expected - stored.samples} / ${stored.duplicateSamples}`,
      ok: expected === stored.samples && stored.duplicateSamples === 0,
    });
    expect(storedWhileDown).toBe(storedAtKill);
    expect(stored.samples).toBe(expected);
    expect(stored.duplicateSamples).toBe(0);
  } finally {
    watch.close();
  }
});

test('the store absorbed redeliveries (collector totals)', async () => {
  await collector.kill('SIGTERM');
  const duplicates = collectorTotal(collector, 'duplicates');
  recordFigure({
    section: 20,
    scenario: 'Controller (collector, worker-thread writer) SIGKILLed mid-run, restarted after the run',
    measure: 'events redelivered after the restart and ignored by the store (idempotent insert)',
    expected: '≥ 0, none stored twice',
    observed: duplicates,
    ok: true,
  });
  expect(duplicates).toBeGreaterThanOrEqual(0);
});
