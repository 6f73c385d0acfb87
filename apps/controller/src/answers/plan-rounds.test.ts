import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { expandPlan, parsePlanYaml } from '@rigbench/shared';
import { syntheticRunEvents } from '../../../../test/support/synthetic-run.js';
import { buildRunDataset } from '../store/build-run-dataset.js';
import { RunStore } from '../store/run-store.js';
import { renderReport } from '../report/render-report.js';
import { ALL_PROMPTS, buildAnswers } from './build-answers.js';

const planFile = fileURLToPath(new URL('../../../../examples/quick-cpu.yaml', import.meta.url));

describe("a plan's rounds are rounds of the answers", () => {
  test('rounds: 2 with interleaved order gives two rounds a side from one stored run', () => {
    const text = `${readFileSync(planFile, 'utf8')}\nrounds: 2\norder: interleaved\n`;
    const plan = parsePlanYaml(text, planFile);
    const cases = expandPlan(plan);
    const store = RunStore.open(':memory:');
    try {
      store.recordDispatch({
        runId: 'r1',
        planName: plan.name,
        runName: null,
        label: null,
        plan,
        targets: [{ agentId: 'a1', address: null, labels: {} }],
      });
      store.writeEvents([
        ...syntheticRunEvents({
          runId: 'r1',
          agentId: 'a1',
          cases: 0,
          caseIds: cases.map((c) => c.caseId),
          samplesPerCase: 2,
          plan,
        }),
      ]);
      const ds = buildRunDataset(store, 'r1');
      expect(ds.run.status).toBe('complete');
      expect(new Set(ds.cases.map((c) => c.benchCase.round))).toEqual(new Set([0, 1]));
      const a = buildAnswers([ds]).find(
        (x) => x.axis === 'model' && x.metric === 'decodeTokensPerSecond' && x.scope === ALL_PROMPTS,
      )!;
      expect([a.roundsWinner, a.roundsOther, a.repetitions]).toEqual([2, 2, { min: 2, max: 2 }]);
      expect(a.reason).not.toBe('one-round');
      expect(a.p).not.toBeNull();
      // The seed table names the plan round of each row.
      expect(renderReport([ds], 'md')).toMatch(/\| r2 #2 \|/);
    } finally {
      store.close();
    }
  });
});
