/**
 * The YAML (and JSON) surface of a benchmark plan, as a zod 4 schema whose output is exactly `BenchPlan`.
 *
 * Keys are camelCase as in `plan-model.ts`; every object is strict (an unknown key is an error, never ignored,
 * so a typo cannot silently fall back to a default). Defaults are filled in here, so everything downstream sees
 * a complete plan.
 *
 * Shorthand: a matrix axis other than `devices` may be written as a single value, meaning a one-item list
 * (`backend: cpu` is `backend: [cpu]`). `devices` has no shorthand because `devices: [0, 1]` would be ambiguous
 * (one set of two GPUs, or two sets of one?): it is always a list of sets, `[[0], [0, 1]]`.
 *
 * An empty value for an optional section or list (`generation:` with every line under it commented out) means
 * the same as leaving it out: its defaults.
 *
 * Cross-field rules (unique ids, a raw test must fit every context size, …) run even when other fields fail,
 * so one check reports every problem at once.
 *
 * Bounds, defaults and the per-field expectation texts live in `plan-fields.ts`. Still over 400 lines: the field
 * schemas and the cross-field rules share the lenient readers of raw, possibly malformed input (`scalarToList`,
 * `listOrEmpty`, `isRecord`, the issue helpers); splitting them would make those internals a module's API.
 */
import { z } from 'zod';
import { cronProblem } from './plan-cron.js';
import { BACKENDS, CASE_ORDERS, KV_CACHE_TYPES, LLAMA_BUILDS } from './plan-model.js';
import type { BenchPlan } from './plan-model.js';
import {
  LABEL_KEY_PATTERN,
  PLAN_DEFAULTS,
  PLAN_FIELD_EXPECTATIONS,
  PLAN_ID_PATTERN,
  PLAN_LIMITS,
} from './plan-fields.js';
import { crossCheckLoadTests, LOAD_OBJECT_KEYS, loadTestSchema } from './plan-load-schema.js';

export { LABEL_KEY_PATTERN, PLAN_DEFAULTS, PLAN_FIELD_EXPECTATIONS, PLAN_ID_PATTERN, PLAN_LIMITS };

/** Zod issue params carrying what would be valid, for issues raised by the refinements below. */
interface IssueParams {
  expected?: string;
}

type RefineContext = z.core.$RefinementCtx;
/** Refinements run even when sibling fields failed, so every problem is reported in one pass. */
const ALWAYS = { when: (): boolean => true };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** YAML reads `key:` with nothing after it as null; for optional sections that means "not given". */
const emptyIsAbsent = (value: unknown): unknown => (value === null ? undefined : value);

const boundedInt = (limits: { min: number; max: number }): z.ZodNumber =>
  z.number().int().min(limits.min).max(limits.max);

const planId = z.string().min(1).max(PLAN_LIMITS.idLength).regex(PLAN_ID_PATTERN);

/** Reports every repeated `id` among `items` (objects whose `id` may still be malformed). */
function addDuplicateIdIssues(
  ctx: RefineContext,
  items: ReadonlyArray<{ item: unknown; path: (string | number)[]; name: string }>,
  what: string,
): void {
  const seen = new Map<string, string>();
  for (const { item, path, name } of items) {
    if (!isRecord(item) || typeof item.id !== 'string') continue;
    const first = seen.get(item.id);
    if (first === undefined) {
      seen.set(item.id, name);
      continue;
    }
    ctx.addIssue({
      code: 'custom',
      path: [...path, 'id'],
      message: `duplicate ${what} id "${item.id}" (already used by ${first})`,
      input: item.id,
      params: { expected: `an id no other ${what} uses` } satisfies IssueParams,
    });
  }
}

/** `value` as a list when it is one (refinements marked ALWAYS may see malformed input). */
const listOrEmpty = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);

/** Returns why `source` is not a usable model source, or `undefined`. */
export function modelSourceProblem(source: string): string | undefined {
  if (source.startsWith('hf:')) {
    const ref = source.slice(3);
    if (!/^[A-Za-z0-9][\w.-]*\/[A-Za-z0-9][\w.-]*(:[\w.-]+|\/\S+)?$/.test(ref)) {
      return `"${source}" is not an hf: URI of the form hf:user/repo, hf:user/repo:QUANT or hf:user/repo/file.gguf`;
    }
    if (ref.split('/').includes('..')) return `"${source}" has a ".." segment`;
    return undefined;
  }
  if (source.trim() === '') return 'model source is empty';
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(source)) {
    return `"${source}" is a URL; only hf: URIs are resolved, or give a path under the models directory`;
  }
  if (/^([/\\]|[A-Za-z]:)/.test(source)) {
    return `"${source}" is an absolute path; give it relative to the agent's models directory`;
  }
  if (source.split(/[/\\]/).includes('..')) {
    return `"${source}" has a ".." segment and would leave the agent's models directory`;
  }
  if (!/\.gguf$/i.test(source)) return `"${source}" is not a .gguf file`;
  return undefined;
}

const modelSchema = z.strictObject({
  id: planId,
  source: z.string().superRefine((source, ctx) => {
    const problem = modelSourceProblem(source);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: source });
  }),
});

const chatPromptSchema = z.strictObject({
  id: planId,
  text: z
    .string()
    .max(100_000)
    .refine((text) => text.trim().length > 0, { message: 'prompt text is empty' }),
});

const rawTokens = boundedInt(PLAN_LIMITS.rawTokens);
const rawTestSchema = z
  .strictObject({
    id: planId,
    promptTokens: rawTokens.default(0),
    generatedTokens: rawTokens.default(0),
    depth: rawTokens.default(0),
  })
  .superRefine((test, ctx) => {
    if (test.promptTokens + test.generatedTokens < 1) {
      ctx.addIssue({
        code: 'custom',
        message: `raw test "${test.id}" measures nothing: promptTokens and generatedTokens are both 0`,
        params: { expected: 'promptTokens + generatedTokens of at least 1' } satisfies IssueParams,
      });
    }
  });

const promptsSchema = z
  .strictObject({
    chat: z.preprocess(
      emptyIsAbsent,
      z.array(chatPromptSchema).default(() => []),
    ),
    raw: z.preprocess(
      emptyIsAbsent,
      z.array(rawTestSchema).default(() => []),
    ),
    // Optional, not defaulted: a plan without load tests keeps its canonical JSON and plan hash.
    load: z.preprocess(emptyIsAbsent, z.array(loadTestSchema).optional()),
  })
  .superRefine((prompts, ctx) => {
    if (!isRecord(prompts)) return;
    const chat = listOrEmpty(prompts.chat);
    const raw = listOrEmpty(prompts.raw);
    const load = listOrEmpty(prompts.load);
    const listsRead =
      Array.isArray(prompts.chat) &&
      Array.isArray(prompts.raw) &&
      (prompts.load === undefined || Array.isArray(prompts.load));
    if (chat.length === 0 && raw.length === 0 && load.length === 0 && listsRead) {
      ctx.addIssue({ code: 'custom', message: 'plan has no chat prompts, raw tests or load tests' });
    }
    addDuplicateIdIssues(
      ctx,
      [
        ...chat.map((item, index) => ({ item, path: ['chat', index], name: `prompts.chat[${index}]` })),
        ...raw.map((item, index) => ({ item, path: ['raw', index], name: `prompts.raw[${index}]` })),
        ...load.map((item, index) => ({ item, path: ['load', index], name: `prompts.load[${index}]` })),
      ],
      'prompt',
    );
  }, ALWAYS);

/** A scalar written where a list is expected becomes a one-item list (the documented axis shorthand). */
const scalarToList = (value: unknown): unknown =>
  value === undefined || value === null || Array.isArray(value) ? value : [value];

/** Reports list items that repeat an earlier one (by `key`), pointing at the repeat. */
function addDuplicateValueIssues(
  ctx: RefineContext,
  values: unknown,
  key: (value: unknown) => string,
  expected = 'distinct values: a repeated axis value would only repeat the same cases',
): void {
  const seen = new Map<string, number>();
  listOrEmpty(values).forEach((value, index) => {
    const k = key(value);
    const first = seen.get(k);
    if (first === undefined) seen.set(k, index);
    else {
      ctx.addIssue({
        code: 'custom',
        path: [index],
        message: `repeats item [${first}] (${k})`,
        input: value,
        params: { expected } satisfies IssueParams,
      });
    }
  });
}

/** A matrix axis: a non-empty list of distinct values (or one value, see the module doc), with a default. */
function axis<T extends z.ZodType>(
  element: T,
  fallback: () => z.output<T>[],
  key = (v: unknown) => JSON.stringify(v),
) {
  return z
    .preprocess(
      scalarToList,
      z
        .array(element)
        .min(1)
        .superRefine((values, ctx) => addDuplicateValueIssues(ctx, values, key), ALWAYS),
    )
    .default(fallback);
}

const deviceSetSchema = z
  .array(boundedInt(PLAN_LIMITS.deviceIndex))
  .superRefine(
    (indexes, ctx) => addDuplicateValueIssues(ctx, indexes, String, 'each GPU index at most once per set'),
    ALWAYS,
  );

const defaults = PLAN_DEFAULTS.matrix;
const matrixSchema = z.strictObject({
  backend: axis(z.enum(BACKENDS), () => [...defaults.backend]),
  devices: z
    .array(deviceSetSchema)
    .min(1)
    .superRefine(
      (sets, ctx) =>
        // [1, 0] and [0, 1] select the same GPUs: the order is kept for the backend, but they are one axis value.
        addDuplicateValueIssues(ctx, sets, (set) =>
          Array.isArray(set) ? `[${[...(set as unknown[])].map(String).sort().join(', ')}]` : String(set),
        ),
      ALWAYS,
    )
    .default(() => defaults.devices.map((set) => [...set])),
  gpuLayers: axis(z.union([z.literal('max'), boundedInt(PLAN_LIMITS.gpuLayers)]), () => [
    ...defaults.gpuLayers,
  ]),
  contextSize: axis(boundedInt(PLAN_LIMITS.contextSize), () => [...defaults.contextSize]),
  batchSize: axis(boundedInt(PLAN_LIMITS.batchSize), () => [...defaults.batchSize]),
  threads: axis(z.union([z.literal('auto'), boundedInt(PLAN_LIMITS.threads)]), () => [...defaults.threads]),
  flashAttention: axis(z.boolean(), () => [...defaults.flashAttention]),
  kvCacheType: axis(z.enum(KV_CACHE_TYPES), () => [...defaults.kvCacheType]),
  build: axis(z.enum(LLAMA_BUILDS), () => [...defaults.build]),
});

const generationSchema = z.strictObject({
  maxTokens: boundedInt(PLAN_LIMITS.maxTokens).default(PLAN_DEFAULTS.generation.maxTokens),
  temperature: z
    .number()
    .min(PLAN_LIMITS.temperature.min)
    .max(PLAN_LIMITS.temperature.max)
    .default(PLAN_DEFAULTS.generation.temperature),
  topK: boundedInt(PLAN_LIMITS.topK).optional(),
  topP: z.number().gt(0).max(1).optional(),
  seed: boundedInt(PLAN_LIMITS.seed).default(PLAN_DEFAULTS.generation.seed),
  ignoreEos: z.boolean().default(PLAN_DEFAULTS.generation.ignoreEos),
});

const targetsSchema = z.strictObject({
  agents: z
    .array(planId)
    .superRefine(
      (agents, ctx) => addDuplicateValueIssues(ctx, agents, (id) => JSON.stringify(id), 'each agent id once'),
      ALWAYS,
    )
    .default(() => []),
  selector: z
    .record(
      z.string().max(253).regex(LABEL_KEY_PATTERN),
      // YAML reads `gpus: 2` as a number; labels are text, so scalars are taken as their text.
      z
        .union([z.string(), z.number(), z.boolean()])
        .transform(String)
        .pipe(z.string().max(PLAN_LIMITS.labelValueLength)),
    )
    .default(() => ({})),
});

const scheduleSchema = z.strictObject({
  cron: z.string().superRefine((cron, ctx) => {
    const problem = cronProblem(cron);
    if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, input: cron });
  }),
  label: z.string().min(1).max(64).optional(),
});

const planShape = {
  version: z.literal(1),
  name: z
    .string()
    .max(200)
    .refine((name) => name.trim().length > 0, { message: 'plan name is empty' }),
  description: z.string().max(PLAN_LIMITS.descriptionLength).optional(),
  models: z
    .array(modelSchema)
    .min(1)
    .superRefine(
      (models, ctx) =>
        addDuplicateIdIssues(
          ctx,
          listOrEmpty(models).map((item, index) => ({ item, path: [index], name: `models[${index}]` })),
          'model',
        ),
      ALWAYS,
    ),
  prompts: promptsSchema,
  matrix: z.preprocess((value) => withBatchDefault(emptyIsAbsent(value)), matrixSchema.prefault({})),
  generation: z.preprocess(emptyIsAbsent, generationSchema.prefault({})),
  warmup: boundedInt(PLAN_LIMITS.warmup).default(PLAN_DEFAULTS.warmup),
  repetitions: boundedInt(PLAN_LIMITS.repetitions).default(PLAN_DEFAULTS.repetitions),
  rounds: boundedInt(PLAN_LIMITS.rounds).optional(),
  order: z.enum(CASE_ORDERS).optional(),
  targets: z.preprocess(emptyIsAbsent, targetsSchema.prefault({})),
  schedule: z.preprocess(
    emptyIsAbsent,
    z.array(scheduleSchema).default(() => []),
  ),
  // Optional, not defaulted: a plan without it keeps its canonical JSON and plan hash.
  allowSoftwareDevices: z.boolean().optional(),
};

/**
 * An omitted `batchSize` defaults to 512, or to the smallest written `contextSize` when that is smaller: llama.cpp
 * would cut the batch to the context anyway, and the plan then says what runs. A written `batchSize` larger than
 * a context is refused by {@link crossCheckPlan}, so the two never disagree.
 */
function withBatchDefault(matrix: unknown): unknown {
  if (!isRecord(matrix) || matrix.batchSize !== undefined) return matrix;
  const smallest = smallestContextSize(matrix);
  const batch = defaults.batchSize[0] as number;
  return smallest !== undefined && smallest < batch ? { ...matrix, batchSize: [smallest] } : matrix;
}

/** The smallest valid `contextSize` a (raw, maybe malformed) matrix asks for, the default when it names none. */
function smallestContextSize(matrix: Record<string, unknown>): number | undefined {
  const contextSizes = (
    matrix.contextSize === undefined ? defaults.contextSize : scalarToList(matrix.contextSize)
  ) as unknown;
  const validSizes = Array.isArray(contextSizes)
    ? contextSizes.filter(
        (size): size is number =>
          typeof size === 'number' &&
          Number.isInteger(size) &&
          size >= PLAN_LIMITS.contextSize.min &&
          size <= PLAN_LIMITS.contextSize.max,
      )
    : [];
  return validSizes.length === 0 ? undefined : Math.min(...validSizes);
}

/** Rules that relate fields to each other; written defensively since they run even when fields are malformed. */
function crossCheckPlan(plan: unknown, ctx: RefineContext): void {
  if (!isRecord(plan)) return;
  const matrix = isRecord(plan.matrix) ? plan.matrix : {};
  const smallest = smallestContextSize(matrix);
  if (smallest === undefined) return;

  // A batch larger than the context is silently cut to it by llama.cpp: the case would be measured under a
  // setting other than its name. An omitted batch size defaults to the smallest context (withBatchDefault).
  listOrEmpty(scalarToList(matrix.batchSize)).forEach((size, index) => {
    if (typeof size !== 'number' || size <= smallest) return;
    ctx.addIssue({
      code: 'custom',
      path: ['matrix', 'batchSize', index],
      message: `batchSize ${size} is larger than matrix.contextSize ${smallest}`,
      params: {
        expected: `a batch size at most ${smallest}, the smallest matrix.contextSize`,
      } satisfies IssueParams,
    });
  });

  const prompts = isRecord(plan.prompts) ? plan.prompts : {};
  listOrEmpty(prompts.raw).forEach((test, index) => {
    if (!isRecord(test)) return;
    const count = (key: string): number => (typeof test[key] === 'number' ? (test[key] as number) : 0);
    const needed = count('depth') + count('promptTokens') + count('generatedTokens');
    if (needed > smallest) {
      ctx.addIssue({
        code: 'custom',
        path: ['prompts', 'raw', index],
        message:
          `raw test needs ${needed} tokens of context (depth ${count('depth')} + promptTokens ` +
          `${count('promptTokens')} + generatedTokens ${count('generatedTokens')}) but matrix.contextSize ` +
          `includes ${smallest}`,
        params: {
          expected: `depth + promptTokens + generatedTokens at most ${smallest}, the smallest matrix.contextSize`,
        } satisfies IssueParams,
      });
    }
  });

  crossCheckLoadTests(prompts.load, matrix, smallest, ctx);

  const chat = listOrEmpty(prompts.chat);
  const generation = isRecord(plan.generation) ? plan.generation : {};
  const maxTokens = generation.maxTokens ?? PLAN_DEFAULTS.generation.maxTokens;
  if (chat.length > 0 && typeof maxTokens === 'number' && maxTokens >= smallest) {
    ctx.addIssue({
      code: 'custom',
      path: ['generation', 'maxTokens'],
      message: `maxTokens ${maxTokens} leaves no room for the prompt in matrix.contextSize ${smallest}`,
      params: {
        expected: `maxTokens below ${smallest}, the smallest matrix.contextSize`,
      } satisfies IssueParams,
    });
  }
}

/** The plan schema: YAML/JSON value in, `BenchPlan` (defaults filled) out. Prefer `validatePlan`/`parsePlanYaml`. */
export const planSchema = z.strictObject(planShape).superRefine(crossCheckPlan, ALWAYS);

/** Keys each strict object accepts, by path with `[]` for list items; used to suggest a fix for unknown keys. */
export const PLAN_OBJECT_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(planShape),
  'models[]': Object.keys(modelSchema.shape),
  prompts: Object.keys(promptsSchema.shape),
  'prompts.chat[]': Object.keys(chatPromptSchema.shape),
  'prompts.raw[]': Object.keys(rawTestSchema.shape),
  ...LOAD_OBJECT_KEYS,
  matrix: Object.keys(matrixSchema.shape),
  generation: Object.keys(generationSchema.shape),
  targets: Object.keys(targetsSchema.shape),
  'schedule[]': Object.keys(scheduleSchema.shape),
};

// Compile-time proof that the schema produces exactly the lead's `BenchPlan`, in both directions.
type PlanSchemaOutput = z.output<typeof planSchema>;
const _schemaMatchesModel: [
  PlanSchemaOutput extends BenchPlan ? true : false,
  BenchPlan extends PlanSchemaOutput ? true : false,
] = [true, true];
void _schemaMatchesModel;
