/**
 * Malformed and unknown-version events on the event subjects, read by a real `rigbench collect` process: each
 * goes to quarantine, the collector keeps going, and a good run published around them is stored complete.
 */
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import fc from 'fast-check';
import { eventMessageId, eventSubject, parseEvent, type RigbenchEvent } from '@rigbench/shared';
import { syntheticRunEvents } from '../support/synthetic-run.js';
import { ensureEventStream } from '../../apps/controller/src/collector/event-stream.js';
import { eventually } from '../support/eventually.js';
import { startNatsServer, type NatsServerHandle } from '../support/nats-server.js';
import { controllerSetup, startCollector, type ControllerSetup } from './support/controller.js';
import { recordFigure } from './support/figures.js';
import { FUZZ_SEED } from './support/malformed-plans.js';
import { assertBuilt, type Proc } from './support/processes.js';
import { complete, quarantined, readRun } from './support/store-reader.js';

let nats: NatsServerHandle;
let nc: NatsConnection;
let setup: ControllerSetup;
let collector: Proc;

beforeAll(async () => {
  assertBuilt();
  nats = await startNatsServer();
  nc = await connect({ servers: nats.url });
  await ensureEventStream(await jetstreamManager(nc));
  setup = controllerSetup(nats.url, []);
  collector = await startCollector(setup);
});

afterAll(async () => {
  await collector?.kill('SIGTERM');
  await nc?.close();
  await nats?.dispose();
});

/** Would the collector refuse this message? The same parser, plus the subject check. */
function isBad(subject: string, payload: Uint8Array | string): boolean {
  try {
    const event = parseEvent(payload);
    return subject !== eventSubject(event.agentId, event.runId);
  } catch {
    return true;
  }
}

test('malformed and unknown-version events are quarantined; the collector keeps going; good runs complete', async () => {
  const js = jetstream(nc);
  const good = [...syntheticRunEvents({ runId: 'good-run', agentId: 'a1', cases: 4, samplesPerCase: 25 })];
  const template = good[5] as RigbenchEvent;
  const subject = eventSubject('a1', 'good-run');
  const text = JSON.stringify(template);
  const handmade: Array<[string, string, Uint8Array | string]> = [
    ['truncated JSON', subject, text.slice(0, text.length / 2)],
    ['binary garbage', subject, Uint8Array.from({ length: 512 }, (_, i) => (i * 7919) % 256)],
    ['empty payload', subject, ''],
    ['unknown version', subject, JSON.stringify({ ...template, v: 99 })],
    ['version missing', subject, JSON.stringify({ ...template, v: undefined })],
    ['unknown type', subject, JSON.stringify({ ...template, type: 'sample.exploded' })],
    ['sample missing', subject, JSON.stringify({ ...template, sample: undefined })],
    ['seq not a number', subject, JSON.stringify({ ...template, seq: 'seven' })],
    ['negative seq', subject, JSON.stringify({ ...template, seq: -1 })],
    ['JSON array', subject, '[1,2,3]'],
    ['JSON null', subject, 'null'],
    ['prototype keys', subject, '{"__proto__":{"polluted":1},"constructor":{"prototype":{}}}'],
    ['subject of another agent', eventSubject('intruder', 'good-run'), text],
    ['900 KB of JSON', subject, JSON.stringify({ ...template, type: 'x', pad: 'x'.repeat(900_000) })],
  ];
  // Random byte edits of real events (seeded): most break them, some leave a valid event (stored or a duplicate).
  const fuzzBase = [
    ...syntheticRunEvents({ runId: 'fuzz-run', agentId: 'a2', cases: 2, samplesPerCase: 10 }),
  ];
  const fuzzed = fc
    .sample(
      fc.tuple(
        fc.constantFrom(...fuzzBase.map((e) => JSON.stringify(e))),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      ),
      { seed: FUZZ_SEED + 2, numRuns: 300 },
    )
    .map(([json, edits]) => {
      const bytes = Buffer.from(json);
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      return Uint8Array.from(bytes);
    });
  const fuzzSubject = eventSubject('a2', 'fuzz-run');

  let n = 0;
  const publish = (subj: string, payload: Uint8Array | string) =>
    js.publish(subj, payload, { msgID: `faults-bad-${++n}` });
  const publishGood = (events: RigbenchEvent[]) =>
    Promise.all(
      events.map((e) =>
        js.publish(eventSubject(e.agentId, e.runId), JSON.stringify(e), {
          msgID: eventMessageId(e.runId, e.agentId, e.seq),
        }),
      ),
    );
  // Good events before, between and after the bad ones.
  await publishGood(good.slice(0, 40));
  for (const [, subj, payload] of handmade) await publish(subj, payload);
  await publishGood(good.slice(40, 80));
  for (const payload of fuzzed) await publish(fuzzSubject, payload);
  await publishGood(good.slice(80));

  const expectedBad =
    handmade.filter(([, subj, payload]) => isBad(subj, payload)).length +
    fuzzed.filter((payload) => isBad(fuzzSubject, payload)).length;
  const run = await eventually(
    () => {
      const r = readRun(setup.storePath, 'good-run');
      return complete(r) && r;
    },
    { timeoutMs: 60_000, intervalMs: 200, description: 'good run complete' },
  );
  const byReason = await eventually(
    () => {
      const q = quarantined(setup.storePath);
      return Object.values(q).reduce((a, b) => a + b, 0) >= expectedBad && q;
    },
    { timeoutMs: 30_000, intervalMs: 200, description: `${expectedBad} quarantined` },
  );
  const total = Object.values(byReason).reduce((a, b) => a + b, 0);
  const alive = collector.child.exitCode === null;
  const scenario = 'Bad input: malformed / unknown-version events on rigbench.events.>';
  recordFigure({
    section: 65,
    scenario,
    measure: `bad messages published (${handmade.length} hand-made kinds + ${fuzzed.length} seeded byte edits) / quarantined`,
    expected: 'equal',
    observed: `${expectedBad} / ${total} (${Object.entries(byReason)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ')})`,
    ok: total === expectedBad,
  });
  recordFigure({
    section: 65,
    scenario,
    measure: 'collector alive / good run around them: samples stored of 100, complete',
    expected: 'yes / 100, yes',
    observed: `${alive ? 'yes' : 'no'} / ${run.samples}, ${complete(run) ? 'yes' : 'no'}`,
    ok: alive && run.samples === 100,
  });
  expect(total).toBe(expectedBad);
  expect(alive).toBe(true);
  expect(run.samples).toBe(100);
});
