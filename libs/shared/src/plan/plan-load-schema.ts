/**
 * The `prompts.load` part of the plan schema: serving-load tests (see `LoadTest` in `plan-model.ts`), and the
 * rules that relate them to the matrix (context size, batch size), run with the plan's other cross-field rules.
 */
import { z } from 'zod';
import { PLAN_DEFAULTS, PLAN_ID_PATTERN, PLAN_LIMITS } from './plan-fields.js';

/** Zod issue params carrying what would be valid (as in `plan-schema.ts`). */
interface IssueParams {
  expected?: string;
}

type RefineContext = z.core.$RefinementCtx;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const listOrEmpty = (value: unknown): unknown[] => (Array.isArray(value) ? (value as unknown[]) : []);
/** A scalar where a list is expected is a one-item list (`concurrency: 4` is `concurrency: [4]`). */
const scalarToList = (value: unknown): unknown =>
  value === undefined || value === null || Array.isArray(value) ? value : [value];

const boundedInt = (limits: { min: number; max: number }): z.ZodNumber =>
  z.number().int().min(limits.min).max(limits.max);
const sloSeconds = z.number().gt(PLAN_LIMITS.loadSloSeconds.min).max(PLAN_LIMITS.loadSloSeconds.max);

const loadSloSchema = z.strictObject({
  ttftSeconds: sloSeconds.optional(),
  itlP90Seconds: sloSeconds.optional(),
  e2elSeconds: sloSeconds.optional(),
});

/** One load test: exactly one of `requests` and `durationSeconds`; distinct concurrency levels. */
export const loadTestSchema = z
  .strictObject({
    id: z.string().min(1).max(PLAN_LIMITS.idLength).regex(PLAN_ID_PATTERN),
    concurrency: z.preprocess(
      scalarToList,
      z
        .array(boundedInt(PLAN_LIMITS.loadConcurrency))
        .min(1)
        .superRefine((levels, ctx) => {
          const seen = new Map<unknown, number>();
          listOrEmpty(levels).forEach((level, index) => {
            const first = seen.get(level);
            if (first === undefined) seen.set(level, index);
            else
              ctx.addIssue({
                code: 'custom',
                path: [index],
                message: `repeats item [${first}] (${String(level)})`,
                input: level,
                params: {
                  expected: 'distinct levels: a repeated level would only repeat the same case',
                } satisfies IssueParams,
              });
          });
        }),
    ),
    arrivalRate: z
      .number()
      .gt(PLAN_LIMITS.loadArrivalRate.min)
      .max(PLAN_LIMITS.loadArrivalRate.max)
      .optional(),
    requests: boundedInt(PLAN_LIMITS.loadRequests).optional(),
    durationSeconds: z
      .number()
      .min(PLAN_LIMITS.loadDurationSeconds.min)
      .max(PLAN_LIMITS.loadDurationSeconds.max)
      .optional(),
    prompts: z
      .array(
        z
          .string()
          .max(100_000)
          .refine((text) => text.trim().length > 0, { message: 'prompt text is empty' }),
      )
      .min(PLAN_LIMITS.loadPrompts.min)
      .max(PLAN_LIMITS.loadPrompts.max),
    maxTokens: boundedInt(PLAN_LIMITS.maxTokens),
    slo: loadSloSchema.optional(),
  })
  .superRefine((test, ctx) => {
    const given = [test.requests, test.durationSeconds].filter((v) => v !== undefined).length;
    if (given !== 1)
      ctx.addIssue({
        code: 'custom',
        message:
          given === 0
            ? `load test "${test.id}" says neither how many requests (requests) nor for how long (durationSeconds)`
            : `load test "${test.id}" gives both requests and durationSeconds`,
        params: { expected: 'exactly one of requests and durationSeconds' } satisfies IssueParams,
      });
  });

/** Keys of a load test and of its SLOs, for "did you mean" suggestions. */
export const LOAD_OBJECT_KEYS: Readonly<Record<string, readonly string[]>> = {
  'prompts.load[]': [
    'id',
    'concurrency',
    'arrivalRate',
    'requests',
    'durationSeconds',
    'prompts',
    'maxTokens',
    'slo',
  ],
  'prompts.load[].slo': Object.keys(loadSloSchema.shape),
};

/**
 * Rules between load tests and the matrix, written defensively (they run on malformed input too): every level's
 * KV cache (concurrency × contextSize cells, each sequence holds a whole context) is bounded, the batch holds
 * one token of every sequence (node-llama-cpp would raise it, measuring under another setting than the case's
 * name), and `maxTokens` leaves room for a prompt.
 */
export function crossCheckLoadTests(
  load: unknown,
  rawMatrix: Record<string, unknown>,
  smallestContext: number,
  ctx: RefineContext,
): void {
  const written = listOrEmpty(scalarToList(rawMatrix.contextSize)).filter(
    (size): size is number => typeof size === 'number' && size <= PLAN_LIMITS.contextSize.max,
  );
  // An omitted batch size defaults to 512 or the smallest context (plan-schema's withBatchDefault).
  const batches =
    rawMatrix.batchSize === undefined
      ? [Math.min(PLAN_DEFAULTS.matrix.batchSize[0] as number, smallestContext)]
      : listOrEmpty(scalarToList(rawMatrix.batchSize)).filter((b): b is number => typeof b === 'number');
  const matrix = {
    smallestContext,
    largestContext: Math.max(smallestContext, ...written),
    smallestBatch: batches.length > 0 ? Math.min(...batches) : undefined,
  };
  listOrEmpty(load).forEach((test, index) => {
    if (!isRecord(test)) return;
    listOrEmpty(scalarToList(test.concurrency)).forEach((level, li) => {
      if (typeof level !== 'number' || !Number.isInteger(level) || level < 1) return;
      const cells = level * matrix.largestContext;
      if (cells > PLAN_LIMITS.loadKvCells)
        ctx.addIssue({
          code: 'custom',
          path: ['prompts', 'load', index, 'concurrency', li],
          message: `concurrency ${level} × matrix.contextSize ${matrix.largestContext} needs ${cells} KV cells, more than ${PLAN_LIMITS.loadKvCells}`,
          params: {
            expected: `a concurrency of at most ${Math.floor(PLAN_LIMITS.loadKvCells / matrix.largestContext)} with this contextSize (each sequence holds a whole context)`,
          } satisfies IssueParams,
        });
      if (matrix.smallestBatch !== undefined && matrix.smallestBatch < level)
        ctx.addIssue({
          code: 'custom',
          path: ['prompts', 'load', index, 'concurrency', li],
          message: `concurrency ${level} is more than matrix.batchSize ${matrix.smallestBatch}: one batch must hold a token of every sequence`,
          params: {
            expected: `a concurrency of at most ${matrix.smallestBatch}, the smallest matrix.batchSize`,
          } satisfies IssueParams,
        });
    });
    if (typeof test.maxTokens === 'number' && test.maxTokens >= matrix.smallestContext)
      ctx.addIssue({
        code: 'custom',
        path: ['prompts', 'load', index, 'maxTokens'],
        message: `maxTokens ${test.maxTokens} leaves no room for the prompt in matrix.contextSize ${matrix.smallestContext}`,
        params: {
          expected: `maxTokens below ${matrix.smallestContext}, the smallest matrix.contextSize`,
        } satisfies IssueParams,
      });
  });
}
