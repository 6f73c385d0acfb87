/**
 * Property tests: whatever is done to a valid plan, reading it either yields a plan that expands, or throws
 * PlanValidationError with well-formed issues; never any other error. The mutators double as the fuzz seed of
 * a later fault suite.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { stringify } from 'yaml';
import { PlanValidationError } from './plan-errors.js';
import { expandPlan } from './plan-expansion.js';
import { parsePlanYaml, validatePlan } from './plan-parser.js';

const examplePath = (name: string): string =>
  new URL(`../../../../examples/${name}`, import.meta.url).pathname;
/** More runs for a long fuzz session: `PLAN_FUZZ_RUNS=20000 npm run jest -- plan-fuzz`. */
const RUNS = Number(process.env.PLAN_FUZZ_RUNS ?? 400);
const SEEDS = ['quick-cpu.yaml', 'seed-p104.yaml'].map((name) => readFileSync(examplePath(name), 'utf8'));

/** Characters that matter to YAML, plus some ordinary ones and a little Chinese. */
const yamlChar = fc.constantFrom(...':[]{}-#&*!|>\'",?%@` \n\t\\0123456789abcxyz.你');

type TextMutation =
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'insert'; at: number; text: string }
  | { kind: 'duplicateLine'; line: number }
  | { kind: 'swapLines'; a: number; b: number }
  | { kind: 'indent'; line: number; by: number };

const textMutation: fc.Arbitrary<TextMutation> = fc.oneof(
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: fc.nat(),
    text: fc.array(yamlChar, { minLength: 1, maxLength: 8 }).map((chars) => chars.join('')),
  }),
  fc.record({ kind: fc.constant('duplicateLine' as const), line: fc.nat() }),
  fc.record({ kind: fc.constant('swapLines' as const), a: fc.nat(), b: fc.nat() }),
  fc.record({ kind: fc.constant('indent' as const), line: fc.nat(), by: fc.integer({ min: -4, max: 4 }) }),
);

function mutateText(text: string, mutation: TextMutation): string {
  const lines = text.split('\n');
  switch (mutation.kind) {
    case 'delete': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + text.slice(at + mutation.length);
    }
    case 'insert': {
      const at = mutation.at % (text.length + 1);
      return text.slice(0, at) + mutation.text + text.slice(at);
    }
    case 'duplicateLine': {
      const line = mutation.line % lines.length;
      lines.splice(line, 0, lines[line] ?? '');
      return lines.join('\n');
    }
    case 'swapLines': {
      const a = mutation.a % lines.length;
      const b = mutation.b % lines.length;
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      return lines.join('\n');
    }
    case 'indent': {
      const line = mutation.line % lines.length;
      const current = lines[line] ?? '';
      lines[line] = mutation.by >= 0 ? ' '.repeat(mutation.by) + current : current.slice(-mutation.by);
      return lines.join('\n');
    }
  }
}

/** Replaces, deletes or adds one member somewhere in a decoded plan. */
type ValueMutation = { pick: number; action: 'replace' | 'delete' | 'add'; key: string; value: unknown };

const valueMutation: fc.Arbitrary<ValueMutation> = fc.record({
  pick: fc.nat(),
  action: fc.constantFrom('replace' as const, 'delete' as const, 'add' as const),
  key: fc.oneof(
    fc.constantFrom('id', 'depth', 'backend', 'threads', 'cron', '__proto__', 'constructor'),
    fc.string(),
  ),
  value: fc.oneof(
    fc.jsonValue(),
    fc.constantFrom(
      0,
      -1,
      1e308,
      Number.NaN,
      Number.POSITIVE_INFINITY,
      '',
      'auto',
      'max',
      '..',
      'hf:',
      [],
      [[]],
      {},
    ),
  ),
});

/** Every container in the value with the path to it, so a mutation can pick one. */
function containers(value: unknown): Array<Record<string, unknown> | unknown[]> {
  const found: Array<Record<string, unknown> | unknown[]> = [];
  const walk = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    found.push(node as Record<string, unknown> | unknown[]);
    for (const child of Object.values(node)) walk(child);
  };
  walk(value);
  return found;
}

function mutateValue(value: unknown, mutation: ValueMutation): unknown {
  const copy = structuredClone(value);
  const all = containers(copy);
  const target = all[mutation.pick % all.length];
  if (target === undefined) return copy;
  const keys = Object.keys(target);
  const key =
    keys.length === 0 || mutation.action === 'add' ? mutation.key : (keys[mutation.pick % keys.length] ?? '');
  if (Array.isArray(target)) {
    const index = keys.length === 0 ? 0 : Number(key) || 0;
    if (mutation.action === 'delete') target.splice(index, 1);
    else if (mutation.action === 'add') target.push(mutation.value);
    else target[index] = mutation.value;
  } else if (mutation.action === 'delete') {
    delete target[key];
  } else {
    Object.defineProperty(target, key, {
      value: mutation.value,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return copy;
}

/** The property: a plan comes back and expands, or PlanValidationError with usable issues; nothing else. */
function expectPlanOrValidationError(read: () => unknown, maxLine?: number): void {
  let plan: unknown;
  try {
    plan = read();
  } catch (error) {
    if (!(error instanceof PlanValidationError)) throw error;
    expect(error.issues.length).toBeGreaterThan(0);
    for (const issue of error.issues) {
      expect(issue.message.length).toBeGreaterThan(0);
      if (maxLine !== undefined) {
        expect(issue.line).toBeGreaterThanOrEqual(1);
        expect(issue.line).toBeLessThanOrEqual(maxLine + 1);
        expect(issue.column).toBeGreaterThanOrEqual(1);
      }
    }
    return;
  }
  const cases = expandPlan(plan as Parameters<typeof expandPlan>[0]);
  expect(new Set(cases.map((c) => c.caseId)).size).toBe(cases.length);
}

describe('plan reading - property tests', () => {
  test('random text mutations of a valid plan give a plan or PlanValidationError', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SEEDS),
        fc.array(textMutation, { minLength: 1, maxLength: 4 }),
        (seed, mutations) => {
          const text = mutations.reduce(mutateText, seed);
          expectPlanOrValidationError(() => parsePlanYaml(text, 'fuzz.yaml'), text.split('\n').length);
        },
      ),
      { numRuns: RUNS },
    );
  });

  test('random value mutations give a plan or PlanValidationError, from YAML and from JSON', () => {
    const decoded = SEEDS.map((seed) => parsePlanYaml(seed, 'seed.yaml'));
    fc.assert(
      fc.property(
        fc.constantFrom(...decoded),
        fc.array(valueMutation, { minLength: 1, maxLength: 3 }),
        (plan, mutations) => {
          const value = mutations.reduce(mutateValue, plan as unknown);
          expectPlanOrValidationError(() => validatePlan(value, 'fuzz'));
          const text = stringify(value);
          expectPlanOrValidationError(() => parsePlanYaml(text, 'fuzz.yaml'), text.split('\n').length);
        },
      ),
      { numRuns: RUNS },
    );
  });
});
