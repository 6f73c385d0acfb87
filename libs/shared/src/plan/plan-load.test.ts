import { describe, expect, test } from '@jest/globals';
import { PlanValidationError, type PlanIssue } from './plan-errors.js';
import { countPlanCases, expandPlan, formatPlanSummary, planSummary } from './plan-expansion.js';
import { canonicalPlanHash } from './plan-hash.js';
import { parsePlanYaml } from './plan-parser.js';

/** A plan with one load test; broken variants below replace a line of it, so their lines are known. */
const PLAN = `version: 1
name: serve
models:
  - { id: m, source: m.gguf }
prompts:
  load:
    - id: serve
      concurrency: [1, 2, 4]
      requests: 8
      prompts: ["hello", "what do you think of GPUs?"]
      maxTokens: 16
      slo: { ttftSeconds: 2, itlP90Seconds: 0.1 }
matrix:
  contextSize: 512
  threads: 1
`;

function issuesOf(text: string): readonly PlanIssue[] {
  try {
    parsePlanYaml(text, 'plan.yaml');
  } catch (error) {
    if (error instanceof PlanValidationError) return error.issues;
    throw error;
  }
  throw new Error('expected the plan to be rejected');
}

describe('plan load tests', () => {
  test('load - a load test expands into one case per concurrency level, named by the level', () => {
    const plan = parsePlanYaml(PLAN, 'plan.yaml');
    expect(plan.prompts.load).toEqual([
      {
        id: 'serve',
        concurrency: [1, 2, 4],
        requests: 8,
        prompts: ['hello', 'what do you think of GPUs?'],
        maxTokens: 16,
        slo: { ttftSeconds: 2, itlP90Seconds: 0.1 },
      },
    ]);
    const cases = expandPlan(plan);
    expect(cases.map((c) => c.caseId)).toEqual([
      'c000-m-cpu-serve-conc1',
      'c001-m-cpu-serve-conc2',
      'c002-m-cpu-serve-conc4',
    ]);
    expect(cases.map((c) => (c.workload.mode === 'load' ? c.workload.concurrency : null))).toEqual([1, 2, 4]);
    expect(countPlanCases(plan)).toBe(3);
    const summary = planSummary(plan, cases);
    expect(summary).toMatchObject({
      cases: 3,
      loadTests: 1,
      loadCases: 3,
      measuredSamples: 0,
      loadGroups: 1,
    });
    expect(formatPlanSummary(summary)[1]).toContain('load tests 1 (3 level cases)');
  });

  test('load - Poisson arrivals and a duration instead of a request count; a plan without load keeps its hash', () => {
    const plan = parsePlanYaml(
      PLAN.replace('      requests: 8\n', '      durationSeconds: 30\n      arrivalRate: 2.5\n'),
      'plan.yaml',
    );
    expect(plan.prompts.load?.[0]).toMatchObject({ durationSeconds: 30, arrivalRate: 2.5 });
    expect(plan.prompts.load?.[0]?.requests).toBeUndefined();
    // `load` is optional and not defaulted: older plans keep their canonical JSON, so their plan hash.
    const chatOnly = parsePlanYaml(
      'version: 1\nname: t\nmodels: [{ id: m, source: m.gguf }]\nprompts:\n  chat: [{ id: q, text: hi }]\n',
      'plan.yaml',
    );
    expect('load' in chatOnly.prompts).toBe(false);
    expect(canonicalPlanHash(chatOnly)).toBe(
      canonicalPlanHash({ ...chatOnly, prompts: { chat: chatOnly.prompts.chat, raw: [] } }),
    );
  });

  test.each([
    [
      'concurrency above the cap',
      PLAN.replace('[1, 2, 4]', '[1, 65]'),
      { path: 'prompts.load[0].concurrency[1]', line: 8 },
      /Too big|at most 64|<=64/i,
    ],
    [
      'a repeated level',
      PLAN.replace('[1, 2, 4]', '[1, 2, 1]'),
      { path: 'prompts.load[0].concurrency[2]', line: 8 },
      /repeats item \[0\] \(1\)/,
    ],
    [
      'both requests and durationSeconds',
      PLAN.replace('      requests: 8\n', '      requests: 8\n      durationSeconds: 5\n'),
      { path: 'prompts.load[0]', line: 7 },
      /gives both requests and durationSeconds/,
    ],
    [
      'neither requests nor durationSeconds',
      PLAN.replace('      requests: 8\n', ''),
      { path: 'prompts.load[0]', line: 7 },
      /neither how many requests \(requests\) nor for how long \(durationSeconds\)/,
    ],
    [
      'more sequences than one batch holds',
      PLAN.replace('  threads: 1\n', '  threads: 1\n  batchSize: 2\n'),
      { path: 'prompts.load[0].concurrency[2]', line: 8 },
      /concurrency 4 is more than matrix.batchSize 2/,
    ],
    [
      'KV cells past the bound (each sequence holds a whole context)',
      PLAN.replace('[1, 2, 4]', '[1, 64]').replace('contextSize: 512', 'contextSize: 32768'),
      { path: 'prompts.load[0].concurrency[1]', line: 8 },
      /concurrency 64 × matrix.contextSize 32768 needs 2097152 KV cells, more than 1048576/,
    ],
    [
      'maxTokens leaving no room for a prompt',
      PLAN.replace('maxTokens: 16', 'maxTokens: 512'),
      { path: 'prompts.load[0].maxTokens', line: 11 },
      /maxTokens 512 leaves no room for the prompt in matrix.contextSize 512/,
    ],
    [
      'an SLO of zero seconds',
      PLAN.replace('ttftSeconds: 2', 'ttftSeconds: 0'),
      { path: 'prompts.load[0].slo.ttftSeconds', line: 12 },
      /./,
    ],
    [
      'a misspelt SLO key',
      PLAN.replace('itlP90Seconds', 'itlP90Second'),
      { path: 'prompts.load[0].slo.itlP90Second', line: 12 },
      /itlP90Seconds/,
    ],
  ])('load - %s is refused before any work, naming the field and line', (_name, text, where, message) => {
    const issues = issuesOf(text);
    expect(issues.length).toBeGreaterThanOrEqual(1);
    const issue = issues[0]!;
    expect({ path: issue.path, line: issue.line }).toEqual(where);
    expect(`${issue.message} ${issue.expected ?? ''}`).toMatch(message);
    expect(issue.expected).toEqual(expect.any(String));
  });
});
