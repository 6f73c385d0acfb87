import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expandPlan, parsePlanYaml } from '@rigbench/shared';
import { storePlanRun } from '../../../../test/support/stored-plan-run.js';
import { syntheticRunEvents } from '../../../../test/support/synthetic-run.js';
import { renderReport } from '../report/render-report.js';
import { buildRunDataset, RunPlanUnreadableError } from './build-run-dataset.js';
import { RunStore } from './run-store.js';

const planFile = fileURLToPath(new URL('../../../../examples/quick-cpu.yaml', import.meta.url));

describe('buildRunDataset', () => {
  test('dataset - rebuilds planned cases per agent and every stored sample exactly', () => {
    const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
    const caseIds = expandPlan(plan).map((c) => c.caseId);
    const store = RunStore.open(':memory:');
    try {
      store.recordDispatch({
        runId: 'r1',
        planName: plan.name,
        runName: null,
        label: 'night',
        plan,
        targets: [
          { agentId: 'a1', address: null, labels: { gpu: 'none' } },
          { agentId: 'a2', address: null, labels: {} },
        ],
      });
      const a1 = [
        ...syntheticRunEvents({ runId: 'r1', agentId: 'a1', cases: 0, caseIds, samplesPerCase: 3, plan }),
      ];
      store.writeEvents(a1);
      // a2 only got halfway: its later cases have no fingerprint and no outcome.
      const a2 = [
        ...syntheticRunEvents({ runId: 'r1', agentId: 'a2', cases: 0, caseIds, samplesPerCase: 3, plan }),
      ];
      store.writeEvents(a2.slice(0, 12));

      const dataset = buildRunDataset(store, 'r1');
      expect(dataset.run).toMatchObject({
        runId: 'r1',
        planName: 'quick-cpu',
        label: 'night',
        status: 'running',
      });
      expect(dataset.run.missing.some((m) => m.startsWith('agent a2: no run.finished'))).toBe(true);
      expect(dataset.agents.map((a) => [a.agentId, a.outcome, a.labels])).toEqual([
        ['a1', 'completed', { gpu: 'none' }],
        ['a2', null, {}],
      ]);
      expect(dataset.cases).toHaveLength(caseIds.length * 2);
      expect(dataset.cases.filter((c) => c.agentId === 'a1').every((c) => c.outcome === 'ok')).toBe(true);
      expect(
        dataset.cases.filter((c) => c.agentId === 'a2' && c.fingerprint === null).length,
      ).toBeGreaterThan(0);
      const expectedSamples = [...a1, ...a2.slice(0, 12)].filter((e) => e.type === 'sample.recorded');
      expect(dataset.samples).toEqual(
        expectedSamples.map((e) => ({ agentId: e.agentId, caseId: e.caseId, sample: e.sample })),
      );
    } finally {
      store.close();
    }
  });

  test('dataset - a cancelled run says cancelled, never complete (store, runs, report)', () => {
    const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
    const caseIds = expandPlan(plan).map((c) => c.caseId);
    const store = RunStore.open(':memory:');
    try {
      storePlanRun(store, {
        runId: 'r3',
        plan,
        samplesPerCase: 1,
        editEvents: (events) =>
          events.map((e) => (e.type === 'run.finished' ? { ...e, outcome: 'cancelled' as const } : e)),
      });
      const dataset = buildRunDataset(store, 'r3');
      expect(dataset.run.status).toBe('cancelled');
      expect(dataset.run.missing).toEqual([
        `agent a1: cancelled after ${caseIds.length} of ${caseIds.length} cases`,
      ]);
      const md = renderReport([dataset], 'md');
      expect(md).toContain('> **Warning:** Run r3 is cancelled.');
      expect(md).toMatch(/\| r3 \| — \| quick-cpu \| [^|]+ \| [^|]+ \| cancelled \|/);
    } finally {
      store.close();
    }
  });

  test('dataset - a run whose stored plan does not validate is reported, not guessed', () => {
    const store = RunStore.open(':memory:');
    try {
      store.writeEvents([...syntheticRunEvents({ runId: 'r2', agentId: 'a1', cases: 1, samplesPerCase: 1 })]);
      expect(() => buildRunDataset(store, 'r2')).toThrow(RunPlanUnreadableError);
    } finally {
      store.close();
    }
  });

  test("dataset - cases follow each agent's run.accepted case ids; old events without them fall back to the plan", () => {
    const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
    const caseIds = expandPlan(plan).map((c) => c.caseId);
    const store = RunStore.open(':memory:');
    try {
      // a1 ran only the plan's first two cases, in reverse order (an agent is the authority on what it ran);
      // a2 predates caseIds in run.accepted, so its cases are the stored plan's expansion.
      const a1 = [...caseIds.slice(0, 2)].reverse();
      store.writeEvents([
        ...syntheticRunEvents({ runId: 'r4', agentId: 'a1', cases: 0, caseIds: a1, samplesPerCase: 1, plan }),
        ...syntheticRunEvents({
          runId: 'r4',
          agentId: 'a2',
          cases: 0,
          caseIds,
          samplesPerCase: 1,
          plan,
          withoutCaseIds: true,
        }),
      ]);
      expect(store.runAgents('r4').map((a) => [a.agentId, a.plannedCaseIds])).toEqual([
        ['a1', a1],
        ['a2', null],
      ]);
      const dataset = buildRunDataset(store, 'r4');
      expect(dataset.cases.filter((c) => c.agentId === 'a1').map((c) => c.caseId)).toEqual(a1);
      expect(dataset.cases.filter((c) => c.agentId === 'a2').map((c) => c.caseId)).toEqual(caseIds);
      expect(dataset.cases.every((c) => c.benchCase.caseId === c.caseId)).toBe(true);
    } finally {
      store.close();
    }
  });

  test('dataset - a planned case id the stored plan does not produce is reported, not dropped', () => {
    const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
    const store = RunStore.open(':memory:');
    try {
      store.writeEvents([
        ...syntheticRunEvents({
          runId: 'r5',
          agentId: 'a1',
          cases: 0,
          caseIds: ['c999-x'],
          samplesPerCase: 1,
          plan,
        }),
      ]);
      expect(() => buildRunDataset(store, 'r5')).toThrow(/agent a1 planned case c999-x/);
    } finally {
      store.close();
    }
  });
});
