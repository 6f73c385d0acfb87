import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parsePlanYaml } from '@rigbench/shared';
import { storePlanRun } from '../../../../test/support/stored-plan-run.js';
import { RunStore } from '../store/run-store.js';
import { printRunAnswers } from './print-answers.js';
import type { Output as CommandOutput } from './output.js';

const planFile = fileURLToPath(new URL('../../../../examples/quick-cpu.yaml', import.meta.url));

describe('printRunAnswers (end of rigbench run)', () => {
  test('prints the overall answer of every axis the plan varies, from the stored run', () => {
    const plan = parsePlanYaml(readFileSync(planFile, 'utf8'), planFile);
    const store = RunStore.open(':memory:');
    const lines: string[] = [];
    const notes: string[] = [];
    const output = {
      line: (t = '') => lines.push(t),
      note: (t: string) => notes.push(t),
    } as unknown as CommandOutput;
    try {
      storePlanRun(store, { runId: 'r1', plan, samplesPerCase: 3 });
      printRunAnswers({ output, store }, 'r1');
      expect(notes).toEqual([]);
      expect(lines[0]).toBe('answers:');
      // quick-cpu varies the model (tiny, small): one line per metric, and one run is one round a side.
      const answers = lines.slice(1, -1);
      expect(answers.length).toBeGreaterThanOrEqual(2);
      for (const a of answers)
        expect(a).toMatch(/^ {2}all prompts: can't tell yet: (tiny|small)\b.* each side has one round/);
      expect(lines.at(-1)).toContain("in 'rigbench report r1'");
    } finally {
      store.close();
    }
  });

  test('a run the store cannot rebuild is a note, not a failure', () => {
    const store = RunStore.open(':memory:');
    const notes: string[] = [];
    const output = { line: () => undefined, note: (t: string) => notes.push(t) } as unknown as CommandOutput;
    try {
      printRunAnswers({ output, store }, 'nope');
      expect(notes).toHaveLength(1);
      expect(notes[0]).toMatch(/^answers: not available \(/);
    } finally {
      store.close();
    }
  });
});
