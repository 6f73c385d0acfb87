import { validatePlan } from '@rigbench/shared';
import { LimitExceededError } from './errors.js';
import { checkLimits } from './run-supervisor.js';

const plan = validatePlan({
  version: 1,
  name: 'limits',
  models: [{ id: 'm', source: 'm.gguf' }],
  prompts: { chat: [{ id: 'q', text: 'hi' }], raw: [{ id: 'tg', promptTokens: 0, generatedTokens: 512 }] },
  matrix: { contextSize: [1024, 8192] },
  generation: { maxTokens: 256 },
  repetitions: 10,
});
const none = { maxTokens: null, contextSize: null, repetitions: null, runMs: null, caseTimeoutMs: null };

test('checkLimits - no limits or generous limits accept the plan', () => {
  expect(() => checkLimits(plan, none)).not.toThrow();
  expect(() =>
    checkLimits(plan, { ...none, maxTokens: 512, contextSize: 8192, repetitions: 10 }),
  ).not.toThrow();
});

test('checkLimits - every exceeded limit is named with the plan field and the config key', () => {
  let error: unknown;
  try {
    checkLimits(plan, { ...none, maxTokens: 128, contextSize: 4096, repetitions: 5 });
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(LimitExceededError);
  const violations = (error as LimitExceededError).violations;
  expect(violations.map((v) => v.path)).toEqual([
    'generation.maxTokens',
    'prompts.raw[0].generatedTokens',
    'matrix.contextSize[1]',
    'repetitions',
  ]);
  expect(violations[0]?.message).toBe("256 exceeds this agent's limit limits.maxTokens = 128");
  expect(violations[2]?.message).toContain('limits.contextSize = 4096');
});
