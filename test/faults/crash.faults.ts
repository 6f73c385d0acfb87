/**
 * Crashes during a run, real processes: the agent's worker process killed (SIGKILL) and crashing (SIGSEGV) in
 * the middle of a case; the agent itself SIGKILLed mid-run while its NATS link is cut, with `rigbench run`
 * following it, then restarted on the same outbox.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { EVENT_STREAM, type AgentRpc } from '@rigbench/shared';
import { agentClient, call } from '../support/agent-harness.js';
import { eventually } from '../support/eventually.js';
import { readStream } from '../support/stream-reader.js';
import {
  controllerSetup,
  dispatch,
  startCollector,
  watchRun,
  writePlan,
  type ControllerSetup,
} from './support/controller.js';
import { faultsFixture } from './support/faults-fixture.js';
import { recordFigure } from './support/figures.js';
import { childPids, cli, CLI_MAIN, spawnNode, startAgentProc, type AgentProc } from './support/processes.js';
import { complete, readRun, storedSeqs } from './support/store-reader.js';
import { TcpGate } from './support/tcp-gate.js';

const fx = faultsFixture();
const { procs } = fx;

async function agentAlive(agent: AgentProc): Promise<boolean> {
  const client = agentClient(agent.grpc);
  try {
    const info = await call<AgentRpc.GetInfoRequest, AgentRpc.AgentInfo__Output>(client, client.GetInfo, {});
    return info.id !== '' && agent.child.exitCode === null;
  } catch {
    return false;
  } finally {
    client.close();
  }
}

/** A process's command line ('' once it has gone). */
function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

test('worker killed (SIGKILL) and crashing (SIGSEGV) mid-case: those cases fail with a reason, the run goes on', async () => {
  const id = 'faults-worker';
  const agent = await startAgentProc({ id, natsUrl: fx.nats.url, modelsDir: fx.modelsDir });
  procs.push(agent);
  const setup: ControllerSetup = controllerSetup(fx.nats.url, [{ id, address: agent.grpc }]);
  procs.push(await startCollector(setup));
  const plan = writePlan(setup.dir, 'worker-crash', fx.model, { rawPrompts: 5, repetitions: 40 });
  const runId = dispatch(setup, plan, id);
  const watch = watchRun(agent.grpc, runId);
  const signals: NodeJS.Signals[] = ['SIGKILL', 'SIGSEGV'];
  const victims: string[] = [];
  try {
    for (const signal of signals) {
      // The case running now (started, not finished) has recorded a few samples: its worker is busy mid-case.
      // Whatever order the agent runs the cases in, the victim is the one its worker is measuring.
      const victim = await eventually(
        () => {
          const finishedIds = new Set(
            watch.events.flatMap((e) => (e.type === 'case.finished' ? [e.caseId] : [])),
          );
          const running = watch.events.filter(
            (e) => e.type === 'case.started' && !finishedIds.has(e.caseId) && !victims.includes(e.caseId),
          );
          const current = running.at(-1);
          if (current === undefined || current.type !== 'case.started' || running.length > 1) return false;
          const started = watch.events.filter((e) => e.type === 'case.started').length;
          const samples = watch.events.filter(
            (e) => e.type === 'sample.recorded' && e.caseId === current.caseId,
          ).length;
          // Not the first case: a later one, so the kill also tests that the run goes on after it.
          return started >= 2 && samples >= 3 && current.caseId;
        },
        { timeoutMs: 120_000, description: 'a case mid-way' },
      );
      victims.push(victim);
      // The inference workers only (the worker script's command line), never another child of the agent.
      const workers = childPids(agent.pid).filter((pid) => commandLineOf(pid).includes('worker.js'));
      expect(workers.length).toBeGreaterThan(0);
      for (const pid of workers) process.kill(pid, signal);
      // Settle before the next kill: the victim's case.finished (failed, or ok if the signal missed it).
      await eventually(() => watch.events.some((e) => e.type === 'case.finished' && e.caseId === victim), {
        timeoutMs: 60_000,
        description: `case.finished of ${victim} after ${signal}`,
      });
    }
    const finished = await watch.finished;
    const outcomes = finished.caseOutcomes;
    const failedWithReason = watch.events.filter(
      (e) => e.type === 'case.finished' && victims.includes(e.caseId) && e.outcome === 'failed' && !!e.reason,
    );
    const reasons = failedWithReason.map((e) => (e.type === 'case.finished' ? e.reason : ''));
    // The cases that started after the last victim, in the order the agent ran them.
    const startOrder = watch.events.flatMap((e) => (e.type === 'case.started' ? [e.caseId] : []));
    const afterLast = new Set(startOrder.slice(startOrder.indexOf(victims.at(-1) ?? '') + 1));
    const later = Object.entries(outcomes).filter(([caseId]) => afterLast.has(caseId));
    const laterOk = later.filter(([, outcome]) => outcome === 'ok').length;
    const alive = await agentAlive(agent);
    const stored = await eventually(
      () => {
        const run = readRun(setup.storePath, runId);
        return complete(run) && run;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: 'run stored' },
    );
    const scenario = 'Worker process SIGKILLed / SIGSEGV mid-case';
    recordFigure({
      section: 30,
      scenario,
      measure: 'hit cases failed with a reason (worker exit signal named)',
      expected: `${signals.length}`,
      observed: `${failedWithReason.length} (${reasons.map((r) => (r ?? '').split(';')[0]).join('; ')})`,
      ok:
        failedWithReason.length === signals.length &&
        signals.every((s) => reasons.some((r) => (r ?? '').includes(s))),
    });
    recordFigure({
      section: 30,
      scenario,
      measure: 'later cases ok / agent alive / run outcome / samples stored of recorded',
      expected: `${later.length} / yes / partial / all`,
      observed: `${laterOk} / ${alive ? 'yes' : 'no'} / ${finished.outcome} / ${stored.samples} of ${stored.samplesExpected}`,
      ok: laterOk === later.length && later.length > 0 && alive && finished.outcome === 'partial',
    });
    expect(failedWithReason).toHaveLength(signals.length);
    for (const s of signals) expect(reasons.join('\n')).toContain(s);
    expect(laterOk).toBe(later.length);
    expect(later.length).toBeGreaterThan(0);
    expect(alive).toBe(true);
    expect(finished.outcome).toBe('partial');
  } finally {
    watch.close();
  }
});

test('agent SIGKILLed mid-run: rigbench run marks it lost within the heartbeat timeout; restarted, it delivers its outbox', async () => {
  const id = 'faults-lost';
  const HEARTBEAT_S = 1;
  const LOST_AFTER = 3;
  const gate = await TcpGate.open(fx.nats.port);
  const outboxDir = mkdtempSync(join(tmpdir(), 'rigbench-faults-outbox-'));
  const agent = await startAgentProc({ id, natsUrl: gate.url, modelsDir: fx.modelsDir, outboxDir });
  procs.push(agent);
  const setup = controllerSetup(fx.nats.url, [{ id, address: agent.grpc }], {
    RIGBENCH_FLEET_STALE_AFTER_INTERVALS: '2',
    RIGBENCH_FLEET_LOST_AFTER_INTERVALS: String(LOST_AFTER),
  });
  const plan = writePlan(setup.dir, 'agent-lost', fx.model, { rawPrompts: 4, repetitions: 100 });
  const runner = spawnNode(CLI_MAIN, ['run', plan, '--agents', id], setup.env);
  procs.push(runner);
  const runId = await eventually(() => /^run (\S+)$/m.exec(runner.stdout())?.[1] ?? false, {
    timeoutMs: 30_000,
    description: 'rigbench run printed the run id',
  });
  const watch = watchRun(agent.grpc, runId);
  // The heartbeats the controller sees, on a connection of our own: the loss is timed from the last one.
  const observer = await connect({ servers: fx.nats.url });
  let lastHeartbeatAt = 0;
  const heartbeats = observer.subscribe(`rigbench.heartbeat.${id}`, {
    callback: () => {
      lastHeartbeatAt = Date.now();
    },
  });
  try {
    await eventually(() => watch.samples() >= 20, { timeoutMs: 120_000, description: '20 samples' });
    // Cut the agent off NATS so events pile up in its outbox, then kill it.
    gate.block();
    const before = watch.samples();
    await eventually(
      async () =>
        watch.samples() >= before + 10 && ((await agent.metric('rigbench_outbox_pending_events')) ?? 0) > 0,
      {
        timeoutMs: 60_000,
        description: 'events waiting in the outbox',
      },
    );
    const pendingAtKill = (await agent.metric('rigbench_outbox_pending_events')) ?? 0;
    await agent.kill('SIGKILL');
    const killedAt = Date.now();
    const lastSeqWritten = watch.lastSeq();
    const casesAtKill = watch.casesStarted();

    const runExit = await runner.exit;
    const lostAfterMs = Date.now() - killedAt;
    const sinceHeartbeatMs = Date.now() - lastHeartbeatAt;
    const lostLine = /lost/i.test(runner.stdout() + runner.stderr());
    const show = cli(['show', runId, '--no-sync'], setup.env);
    const planCases = ['pp16', 'pp17', 'pp18', 'pp19'];
    const unfinished = planCases.slice(casesAtKill - 1);
    const namesMissingCases = unfinished.every((c) => show.stdout.includes(c));

    // Restart on the same outbox, NATS reachable again: what was pending reaches the store.
    gate.pass();
    const restarted = await startAgentProc({ id, natsUrl: gate.url, modelsDir: fx.modelsDir, outboxDir });
    procs.push(restarted);
    procs.push(await startCollector(setup));
    const seqs = await eventually(
      () => {
        const s = storedSeqs(setup.storePath, runId, id);
        return s.length >= lastSeqWritten && s;
      },
      { timeoutMs: 60_000, intervalMs: 200, description: `seqs 1..${lastSeqWritten} stored` },
    ).catch(async (error: Error) => {
      const have = storedSeqs(setup.storePath, runId, id);
      const nc = await connect({ servers: fx.nats.url });
      const inStream = (await readStream(nc, EVENT_STREAM))
        .filter((m) => m.subject.endsWith(`.${runId}`))
        .map((m) => m.msgId.split('.').at(-1));
      await nc.close();
      throw new Error(
        `${error.message}\nstored seqs ${have.join(',')}\nstream seqs ${inStream.join(',')}\n` +
          `rigbench run:\n${runner.stderr().slice(-3000)}\nrestarted agent:\n${restarted.stderr().slice(-3000)}`,
        { cause: error },
      );
    });
    const missing = lastSeqWritten - seqs.filter((s) => s <= lastSeqWritten).length;
    const pendingAfter = await eventually(
      async () => ((await restarted.metric('rigbench_outbox_pending_events')) ?? 1) === 0 && 0,
      { description: 'outbox drained' },
    );
    // The restarted agent closes the run the kill interrupted: the store must not keep it running forever.
    const closed = await eventually(
      () => {
        const run = readRun(setup.storePath, runId);
        return run.outcome !== null && run.lastSeq !== null && run;
      },
      { timeoutMs: 30_000, intervalMs: 200, description: 'run.finished of the interrupted run stored' },
    );
    const scenario = `Agent SIGKILLed mid-run (heartbeat ${HEARTBEAT_S} s, lost after ${LOST_AFTER})`;
    recordFigure({
      section: 40,
      scenario,
      measure: 'restarted: run closed in the store / outcome / lastSeq after the last seq written',
      expected: 'yes / interrupted / yes',
      observed: `yes / ${closed.outcome} / ${closed.lastSeq! > lastSeqWritten ? 'yes' : 'no'} (lastSeq ${closed.lastSeq})`,
      ok: closed.outcome === 'interrupted' && closed.lastSeq! > lastSeqWritten,
    });
    expect({ outcome: closed.outcome, after: closed.lastSeq! > lastSeqWritten }).toEqual({
      outcome: 'interrupted',
      after: true,
    });
    recordFigure({
      section: 40,
      scenario,
      measure:
        '`rigbench run` gives up on it and exits: seconds after its last heartbeat / after the kill / exit code',
      expected: `≤ ${LOST_AFTER * HEARTBEAT_S} s + 3 s slack / less / 4 (incomplete)`,
      observed: `${(sinceHeartbeatMs / 1000).toFixed(1)} s / ${(lostAfterMs / 1000).toFixed(1)} s / ${runExit}`,
      // Slack: the monitor polls every 200 ms, then the CLI prints its summary, stops its collector and exits.
      ok: lostLine && runExit === 4 && sinceHeartbeatMs <= (LOST_AFTER * HEARTBEAT_S + 3) * 1000,
    });
    recordFigure({
      section: 40,
      scenario,
      measure: '`rigbench show`: run incomplete, naming the cases not finished',
      expected: `incomplete, ${unfinished.length} cases named`,
      observed: `${show.stdout.match(/^run \S+: (\w+)/m)?.[1] ?? '?'}, ${unfinished.filter((c) => show.stdout.includes(c)).length} cases named`,
      ok: show.status === 4 && namesMissingCases,
    });
    recordFigure({
      section: 40,
      scenario,
      measure: 'events waiting in the outbox at the kill / seqs 1..last written missing after the restart',
      expected: '> 0 / 0',
      observed: `${pendingAtKill} / ${missing} (last seq written ${lastSeqWritten}, outbox after ${pendingAfter})`,
      ok: pendingAtKill > 0 && missing === 0,
    });
    expect({ runExit, lostLine }).toEqual({ runExit: 4, lostLine: true });
    expect(sinceHeartbeatMs).toBeLessThanOrEqual((LOST_AFTER * HEARTBEAT_S + 3) * 1000);
    expect(show.status).toBe(4);
    expect({ namesMissingCases, show: show.stdout }).toMatchObject({ namesMissingCases: true });
    expect(pendingAtKill).toBeGreaterThan(0);
    expect(missing).toBe(0);
  } finally {
    heartbeats.unsubscribe();
    await observer.close();
    watch.close();
    await gate.dispose();
  }
});
