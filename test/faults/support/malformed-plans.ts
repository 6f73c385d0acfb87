/**
 * Seeded generators of malformed benchmark plans for the fault suite: text mutations of the shipped examples
 * (broken YAML, shuffled lines, stray characters) and schema-shaped plans with absurd values (negative,
 * astronomically large, NaN, wrong types, paths outside the models directory).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { stringify } from 'yaml';

/** The fault suite's fixed seed: the same plans on every run, so a failure can be replayed. */
export const FUZZ_SEED = 20_260_901;

const examples = ['quick-cpu.yaml', 'seed-p104.yaml'].map((name) =>
  readFileSync(fileURLToPath(new URL(`../../../examples/${name}`, import.meta.url)), 'utf8'),
);

const yamlChar = fc.constantFrom(...':[]{}-#&*!|>\'",?%@` \n\t\\0123456789abcxyz.你');

const textMutation = fc.oneof(
  fc.tuple(fc.constant('delete' as const), fc.nat(), fc.integer({ min: 1, max: 60 })),
  fc.tuple(
    fc.constant('insert' as const),
    fc.nat(),
    fc.array(yamlChar, { minLength: 1, maxLength: 10 }).map((c) => c.join('')),
  ),
  fc.tuple(fc.constant('swap' as const), fc.nat(), fc.nat()),
  fc.tuple(fc.constant('indent' as const), fc.nat(), fc.integer({ min: -4, max: 6 })),
  fc.tuple(fc.constant('truncate' as const), fc.nat(), fc.constant(0)),
);

type TextMutation = typeof textMutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, [kind, a, b]: TextMutation): string {
  const lines = text.split('\n');
  switch (kind) {
    case 'delete': {
      const at = a % (text.length + 1);
      return text.slice(0, at) + text.slice(at + b);
    }
    case 'insert': {
      const at = a % (text.length + 1);
      return text.slice(0, at) + b + text.slice(at);
    }
    case 'swap': {
      const i = a % lines.length;
      const j = b % lines.length;
      [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      return lines.join('\n');
    }
    case 'indent': {
      const i = a % lines.length;
      const line = lines[i] ?? '';
      lines[i] = b >= 0 ? ' '.repeat(b) + line : line.slice(-b);
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, a % (text.length + 1));
  }
}

/** YAML texts derived from the examples by 1 to 5 random edits. */
export function fuzzedYamlPlans(count: number, seed = FUZZ_SEED): string[] {
  const arb = fc
    .tuple(fc.constantFrom(...examples), fc.array(textMutation, { minLength: 1, maxLength: 5 }))
    .map(([text, mutations]) => mutations.reduce(mutate, text));
  return fc.sample(arb, { seed, numRuns: count });
}

/** A small, valid plan the absurd values are planted into (on a model that exists in the suite's models dir). */
export function basePlan(modelSource = 'synth-tiny.gguf'): Record<string, unknown> {
  return {
    version: 1,
    name: 'faults',
    models: [{ id: 'tiny', source: modelSource }],
    prompts: {
      chat: [{ id: 'q1', text: 'hello' }],
      raw: [{ id: 'pp16-tg8', promptTokens: 16, generatedTokens: 8 }],
    },
    matrix: { backend: ['cpu'], threads: [1], contextSize: [256], batchSize: [64] },
    generation: { maxTokens: 8, ignoreEos: true },
    warmup: 0,
    repetitions: 1,
  };
}

/** Where absurd values go: fields a typo or a copy-paste accident would hit. */
const FIELDS: ReadonlyArray<readonly (string | number)[]> = [
  ['version'],
  ['name'],
  ['repetitions'],
  ['warmup'],
  ['models', 0, 'id'],
  ['models', 0, 'source'],
  ['models'],
  ['prompts', 'chat', 0, 'text'],
  ['prompts', 'chat', 0, 'id'],
  ['prompts', 'raw', 0, 'promptTokens'],
  ['prompts', 'raw', 0, 'generatedTokens'],
  ['prompts'],
  ['matrix', 'backend'],
  ['matrix', 'threads'],
  ['matrix', 'threads', 0],
  ['matrix', 'contextSize', 0],
  ['matrix', 'batchSize', 0],
  ['generation', 'maxTokens'],
  ['generation', 'ignoreEos'],
  ['generation'],
];

const ABSURD: readonly unknown[] = [
  -1,
  0,
  -0.5,
  3.7,
  1e12,
  2 ** 53 + 2,
  1e308,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  '',
  ' ',
  'x'.repeat(5000),
  '../../../../etc/passwd',
  '/etc/passwd',
  '\u0000',
  'auto',
  'max',
  null,
  true,
  [],
  [[]],
  {},
  { nested: { deeper: [1, 2, 3] } },
  Array.from({ length: 300 }, (_, i) => i),
];

function plant(plan: Record<string, unknown>, path: readonly (string | number)[], value: unknown): void {
  let node: unknown = plan;
  for (const key of path.slice(0, -1)) node = (node as Record<string | number, unknown>)[key];
  (node as Record<string | number, unknown>)[path[path.length - 1] as string | number] = value;
}

/** Plans of the right shape with 1 to 3 fields set to absurd values, as objects (for gRPC) and as YAML. */
export function absurdPlans(
  count: number,
  { seed = FUZZ_SEED + 1, modelSource = 'synth-tiny.gguf' }: { seed?: number; modelSource?: string } = {},
): Array<{ value: unknown; yaml: string }> {
  const arb = fc.array(fc.tuple(fc.constantFrom(...FIELDS), fc.constantFrom(...ABSURD)), {
    minLength: 1,
    maxLength: 3,
  });
  return fc.sample(arb, { seed, numRuns: count }).map((plants) => {
    const plan = basePlan(modelSource);
    for (const [path, value] of plants) {
      try {
        plant(plan, path, structuredClone(value));
      } catch {
        // An earlier plant replaced a parent with a scalar: the plan is absurd enough already.
      }
    }
    return { value: plan, yaml: stringify(plan) };
  });
}
