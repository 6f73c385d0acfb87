import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from '@jest/globals';
import { parsePlanYaml } from '@rigbench/shared';
import { storePlanRun } from '../../../../test/support/stored-plan-run.js';
import { buildRunDataset } from '../store/build-run-dataset.js';
import { RunStore } from '../store/run-store.js';
import { renderReport } from '../report/render-report.js';
import { ALL_PROMPTS, buildAnswers } from './build-answers.js';

const planFile = fileURLToPath(new URL('../../../../examples/quick-cpu.yaml', import.meta.url));

describe("a plan's rounds are rounds of the answers", () => {
  test('rounds: 2 with interleaved order gives two rounds a side from one stored run', () => {
    const text = `${readFileSync(planFile, 'utf8')}\nrounds: 2\norder: interleaved\n`;
    const plan = parsePlanYaml(text, planFile);
    const store = RunStore.open(':memory:');
    try {
      storePlanRun(store, { runId: 'r1', plan, samplesPerCase: 2 });
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
