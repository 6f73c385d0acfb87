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
const none = {
  maxTokens: null,
  contextSize: null,
  repetitions: null,
  maxCases: 1_000_000,
  maxThreads: 1024,
  runMs: null,
  caseTimeoutMs: null,
};

/** The violations `checkLimits` throws, or [] when it accepts. */
function violationsOf(
  p: unknown,
  limits: Parameters<typeof checkLimits>[1],
): { path: string; message: string }[] {
  try {
    checkLimits(p as Parameters<typeof checkLimits>[0], limits);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(LimitExceededError);
    return [...(error as LimitExceededError).violations];
  }
}

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

test("checkLimits - threads above the node's cores are refused naming limits.threads", () => {
  const threaded = validatePlan({
    ...plan,
    matrix: { contextSize: [1024, 8192], threads: ['auto', 2, 1024] },
  });
  const violations = violationsOf(threaded, { ...none, maxThreads: 2 });
  expect(violations.map((v) => v.path)).toEqual(['matrix.threads[2]']);
  expect(violations[0]?.message).toContain("1024 exceeds this agent's limit limits.threads = 2");
});

test('checkLimits - a 9-million-case matrix is refused from its axis lengths, without expanding it', () => {
  const values = (n: number, from: number) => Array.from({ length: n }, (_, i) => from + i);
  const huge = validatePlan({
    ...plan,
    prompts: { chat: Array.from({ length: 30 }, (_, i) => ({ id: `q${i}`, text: 'hi' })) },
    matrix: { contextSize: values(100, 2048), batchSize: values(100, 1), threads: values(30, 1) },
  });
  const violations = violationsOf(huge, { ...none, maxCases: 10_000 });
  expect(violations).toEqual([
    {
      path: 'matrix',
      message: expect.stringContaining('expands to 9000000 cases') as string,
    },
  ]);
  expect(violations[0]?.message).toContain('limits.maxCases = 10000');
});

test('checkLimits - a load test asking more output tokens than limits.maxTokens is refused, naming the field', () => {
  const load = validatePlan({
    version: 1,
    name: 'load-limits',
    models: [{ id: 'm', source: 'm.gguf' }],
    prompts: { load: [{ id: 'serve', concurrency: [1, 2], requests: 4, prompts: ['hi'], maxTokens: 256 }] },
    matrix: { contextSize: [1024] },
  });
  expect(violationsOf(load, { ...none, maxTokens: 128 })).toEqual([
    {
      path: 'prompts.load[0].maxTokens',
      message: "256 exceeds this agent's limit limits.maxTokens = 128",
    },
  ]);
  expect(violationsOf(load, { ...none, maxTokens: 256 })).toEqual([]);
});
