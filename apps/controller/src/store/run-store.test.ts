import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expandPlan, parsePlanYaml, type RigbenchEvent } from '@rigbench/shared';
import { syntheticRunEvents, syntheticRunEventCount } from '../../../../test/support/synthetic-run.js';
import { RunNotFoundError, RunStore } from './run-store.js';
import { formatRanges, runCompleteness } from './run-completeness.js';

const planFile = fileURLToPath(new URL('../../../../examples/quick-cpu.yaml', import.meta.url));

const events = (runId = 'r1', agentId = 'a1', cases = 3, samplesPerCase = 4): RigbenchEvent[] => [
  ...syntheticRunEvents({ runId, agentId, cases, samplesPerCase, time: '2026-01-01T00:00:00.000Z' }),
];

describe('RunStore', () => {
  let store: RunStore;
  beforeEach(() => {
    store = RunStore.open(':memory:');
  });
  afterEach(() => store.close());

  test('store - writing the same events twice stores each once', () => {
    const all = events();
    const first = store.writeEvents(all);
    const second = store.writeEvents(all);
    expect(first).toEqual({ stored: all.length, duplicates: 0, quarantined: 0 });
    expect(second).toEqual({ stored: 0, duplicates: all.length, quarantined: 0 });
    expect(store.db.prepare('SELECT count(*) FROM samples').pluck().get()).toBe(12);
    expect(runCompleteness(store, 'r1').status).toBe('complete');
  });

  test('store - a run is complete only when run.finished arrived and every sample is stored', () => {
    const all = events();
    store.writeEvents(all.slice(0, -1));
    const running = runCompleteness(store, 'r1');
    expect(running.status).toBe('running');
    expect(running.missing.join('\n')).toMatch(/agent a1: no run.finished received/);
    store.writeEvents(all.slice(-1));
    expect(runCompleteness(store, 'r1')).toMatchObject({ status: 'complete', missing: [] });
  });

  test('store - missing samples are named by case and seq', () => {
    const all = events();
    const dropped = all.filter((e) => !(e.type === 'sample.recorded' && (e.seq === 4 || e.seq === 5)));
    store.writeEvents(dropped);
    const result = runCompleteness(store, 'r1');
    expect(result.status).toBe('incomplete');
    expect(result.missing).toEqual([
      'agent a1: missing seq 4-5 of 1-' + syntheticRunEventCount(3, 4),
      'agent a1: case c000-synthetic: 2 of 4 samples stored',
    ]);
  });

  test('store - a targeted agent that never answered keeps the run from completing', () => {
    store.recordDispatch({
      runId: 'r1',
      planName: 'p',
      runName: null,
      label: null,
      plan: {},
      targets: [
        { agentId: 'a1', address: '127.0.0.1:1', labels: {} },
        { agentId: 'a2', address: '127.0.0.1:2', labels: { gpu: 'p104' } },
      ],
    });
    store.writeEvents(events());
    expect(runCompleteness(store, 'r1').status).toBe('running');
    store.abandonAgent('r1', 'a2', 'agent lost (no heartbeat for 30 s)');
    const result = runCompleteness(store, 'r1');
    expect(result.status).toBe('incomplete');
    expect(result.missing[0]).toBe('agent a2: given up: agent lost (no heartbeat for 30 s)');
  });

  test('completeness - open cases are named from run.accepted case ids, without the plan', () => {
    // The synthetic plan ({ name }) does not validate: only run.accepted can say what was planned.
    store.writeEvents(events().slice(0, 4));
    store.abandonAgent('r1', 'a1', 'agent lost');
    expect(runCompleteness(store, 'r1').missing).toContain(
      'agent a1: cases not finished: c000-synthetic, c001-synthetic, c002-synthetic',
    );
  });

  test('completeness - a run.accepted without case ids (older agents) falls back to the stored plan', () => {
    const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
    const caseIds = expandPlan(plan).map((c) => c.caseId);
    const old = [
      ...syntheticRunEvents({
        runId: 'r1',
        agentId: 'a1',
        cases: 0,
        caseIds,
        samplesPerCase: 1,
        plan,
        withoutCaseIds: true,
      }),
    ];
    // run.accepted, then the first case (started, one sample, finished).
    store.writeEvents(old.slice(0, 4));
    store.abandonAgent('r1', 'a1', 'agent lost');
    expect(store.runAgents('r1')[0]?.plannedCaseIds).toBeNull();
    expect(runCompleteness(store, 'r1').missing).toContain(
      `agent a1: cases not finished: ${caseIds.slice(1, 11).join(', ')}` +
        (caseIds.length > 11 ? ` and ${caseIds.length - 11} more` : ''),
    );
  });

  test('store - quarantine is idempotent per stream sequence', () => {
    const message = {
      stream: 'S',
      streamSeq: 7,
      subject: 'rigbench.events.a.r',
      reason: 'malformed' as const,
      error: 'bad',
      payload: new Uint8Array([1]),
    };
    store.ingest([{ kind: 'quarantine', message }]);
    store.ingest([{ kind: 'quarantine', message }]);
    expect(store.quarantine().total).toBe(1);
  });

  test('store - unknown runs raise RunNotFoundError', () => {
    expect(() => runCompleteness(store, 'nope')).toThrow(RunNotFoundError);
  });

  test('formatRanges - collapses consecutive numbers', () => {
    expect(formatRanges([1, 2, 3, 5, 8, 9])).toBe('1-3, 5, 8-9');
  });
});
