/**
 * Outbox integrity with the real agent binary (issue 13, items 3 and 6): a byte flipped on disk in a pending event
 * is detected by its checksum, moved to the dead-letter file with a metric and never published, while every other
 * event is delivered; a LOCK left by an agent whose pid now belongs to another live process does not stop the
 * agent from starting.
 */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { EVENT_STREAM, type AgentRpc } from '@rigbench/shared';
import { agentClient, authMetadata, call, collect } from '../support/agent-harness.js';
import { eventually } from '../support/eventually.js';
import { freePort } from '../support/free-port.js';
import { readStream } from '../support/stream-reader.js';
import { faultsFixture } from './support/faults-fixture.js';
import { recordFigure } from './support/figures.js';
import { basePlan } from './support/malformed-plans.js';
import { startAgentProc } from './support/processes.js';

const fx = faultsFixture({ modelsPrefix: 'rigbench-faults-integrity-models-' });
const { procs } = fx;

test('flipped byte in a pending event - dead-lettered with a metric, never published; the rest delivered', async () => {
  const id = 'faults-integrity';
  const outboxDir = mkdtempSync(join(tmpdir(), 'rigbench-faults-integrity-outbox-'));
  // First life: NATS unreachable, so the whole run waits in the outbox.
  const offline = await startAgentProc({
    id,
    natsUrl: `nats://127.0.0.1:${await freePort()}`,
    modelsDir: fx.modelsDir,
    outboxDir,
  });
  procs.push(offline);
  const client = agentClient(offline.grpc);
  const runId = 'integrity-1';
  await call(
    client,
    client.StartRun,
    { run_id: runId, plan_json: JSON.stringify(basePlan(fx.model)) },
    authMetadata(),
  );
  const updates = await collect<AgentRpc.RunUpdate__Output>(client.WatchRun({ run_id: runId, from_seq: 1 }));
  client.close();
  const written = updates.length;
  await offline.kill('SIGKILL');

  // A bit flips on disk inside the payload of the first sample.recorded event.
  const segment = join(
    outboxDir,
    readdirSync(outboxDir).find((name) => name.endsWith('.log'))!,
  );
  const bytes = readFileSync(segment);
  const at = bytes.indexOf('"sample.recorded"') + 3;
  bytes[at] = bytes[at]! ^ 0x01;
  writeFileSync(segment, bytes);
  const corruptedType = bytes.subarray(at - 3, at + 14).toString();

  const online = await startAgentProc({ id, natsUrl: fx.nats.url, modelsDir: fx.modelsDir, outboxDir });
  procs.push(online);
  await eventually(async () => (await online.metric('rigbench_outbox_pending_events')) === 0, {
    timeoutMs: 60_000,
    description: 'outbox drained',
  });
  const deadLetters = (await online.metric('rigbench_outbox_dead_letters_total')) ?? -1;
  const letters = readFileSync(join(outboxDir, 'dead-letter.jsonl'), 'utf8').trim().split('\n');
  const nc = await connect({ servers: fx.nats.url });
  const stored = (await readStream(nc, EVENT_STREAM)).filter((m) => m.subject.endsWith(`.${runId}`));
  await nc.close();
  const published = stored.map((m) => m.data);
  const corruptPublished = published.some((text) => text.includes(corruptedType));
  const logged = /moved to the dead-letter file, not published/.test(online.stderr());
  recordFigure({
    section: 77,
    scenario: 'Outbox integrity: one bit flipped on disk in a pending sample event, agent restarted',
    measure: 'events written / published / dead letters (metric, file, log line) / corrupt bytes published',
    expected: `n / n - 1 / 1, 1, yes / no`,
    observed: `${written} / ${stored.length} / ${deadLetters}, ${letters.length}, ${logged ? 'yes' : 'no'} / ${corruptPublished ? 'yes' : 'no'}`,
    ok:
      stored.length === written - 1 &&
      deadLetters === 1 &&
      letters.length === 1 &&
      logged &&
      !corruptPublished,
  });
  expect({
    published: stored.length,
    deadLetters,
    letters: letters.length,
    logged,
    corruptPublished,
  }).toEqual({
    published: written - 1,
    deadLetters: 1,
    letters: 1,
    logged: true,
    corruptPublished: false,
  });
});

test('stale LOCK whose pid now belongs to another live process - the agent starts anyway', async () => {
  const outboxDir = mkdtempSync(join(tmpdir(), 'rigbench-faults-integrity-lock-'));
  const bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  // The pid of a live process (this test runner) with the start time of the agent that wrote it, long gone.
  writeFileSync(join(outboxDir, 'LOCK'), `${process.pid} 1 ${bootId}\n`);
  const agent = await startAgentProc({
    id: 'faults-lock',
    natsUrl: fx.nats.url,
    modelsDir: fx.modelsDir,
    outboxDir,
  });
  procs.push(agent);
  const started = agent.child.exitCode === null;
  const lock = readFileSync(join(outboxDir, 'LOCK'), 'utf8').trim().split(' ');
  const ownsLock = Number(lock[0]) === agent.pid && lock.length === 3;
  recordFigure({
    section: 78,
    scenario: 'Outbox integrity: LOCK naming a live pid with another start time (pid reused after a reboot)',
    measure: 'agent starts / LOCK now names the agent (pid, start time, boot id)',
    expected: 'yes / yes',
    observed: `${started ? 'yes' : 'no'} / ${ownsLock ? 'yes' : 'no'}`,
    ok: started && ownsLock,
  });
  expect({ started, ownsLock }).toEqual({ started: true, ownsLock: true });
});
