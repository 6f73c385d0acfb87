/**
 * A `load` case in the worker: one concurrency level of a plan's load test on a context with that many sequences
 * (node-llama-cpp `sequences`, decoded together in one batch), run by the load runner (`../load`).
 */
import { resolveChatWrapper } from 'node-llama-cpp';
import type { LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import { PLAN_LIMITS, type BenchCase, type LoadLevelRecord } from '@rigbench/shared';
import { requestRecords, runLoadLevel, type LoadSlo } from '../load/index.js';
import { ContextTooSmallError } from './engine-errors.js';

/** Output tokens of each warm-up request (one per sequence, unrecorded). */
const WARMUP_TOKENS = 4;

/** The plan's SLOs (seconds) in the runner's milliseconds; undefined when the test sets none. */
function sloMs(
  slo: { ttftSeconds?: number; itlP90Seconds?: number; e2elSeconds?: number } | undefined,
): LoadSlo | undefined {
  if (slo === undefined) return undefined;
  const out: LoadSlo = {};
  if (slo.ttftSeconds !== undefined) out.ttftMs = slo.ttftSeconds * 1000;
  if (slo.itlP90Seconds !== undefined) out.itlP90Ms = slo.itlP90Seconds * 1000;
  if (slo.e2elSeconds !== undefined) out.e2elMs = slo.e2elSeconds * 1000;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The test's prompts through the model's chat template, as a user's message awaiting the answer. */
function chatPromptTokens(model: LlamaModel, texts: readonly string[]): Token[][] {
  const chatWrapper = resolveChatWrapper(model);
  return texts.map((text) => {
    const { contextText } = chatWrapper.generateContextState({
      chatHistory: [
        { type: 'user', text },
        { type: 'model', response: [] },
      ],
    });
    return contextText.tokenize(model.tokenizer) as Token[];
  });
}

/** A measured level and its wall-clock window, for the energy of the level (`energy/case-energy.ts`). */
export interface MeasuredLoadLevel {
  level: LoadLevelRecord;
  /** First arrival to last token, epoch milliseconds; null when no request was sent. */
  window: { fromMs: number; toMs: number } | null;
}

/**
 * Measures one load level. With a warm-up in the plan, each sequence first answers one short request
 * (unrecorded), so the level does not measure first-use costs. Every request generates `maxTokens` tokens.
 */
export async function measureLoadLevel(
  context: LlamaContext,
  model: LlamaModel,
  benchCase: BenchCase,
  threads: number,
): Promise<MeasuredLoadLevel> {
  const workload = benchCase.workload;
  if (workload.mode !== 'load') throw new Error(`case ${benchCase.caseId} is not a load case`);
  const { test, concurrency } = workload;
  const prompts = chatPromptTokens(model, test.prompts);
  const longest = Math.max(...prompts.map((p) => p.length));
  if (longest + test.maxTokens > context.contextSize - 1)
    throw new ContextTooSmallError(benchCase.caseId, longest + test.maxTokens, context.contextSize);
  const generation = { temperature: benchCase.generation.temperature, seed: benchCase.generation.seed };
  if (benchCase.warmup > 0)
    await runLoadLevel(context, {
      concurrency,
      requests: concurrency,
      prompts,
      maxTokens: Math.min(WARMUP_TOKENS, test.maxTokens),
      ...generation,
    });
  const slo = sloMs(test.slo);
  const level = await runLoadLevel(context, {
    concurrency,
    requests: test.requests ?? PLAN_LIMITS.loadRequests.max,
    ...(test.durationSeconds === undefined ? {} : { durationMs: test.durationSeconds * 1000 }),
    prompts,
    maxTokens: test.maxTokens,
    ...(test.arrivalRate === undefined
      ? {}
      : {
          stream: {
            kind: 'poisson' as const,
            ratePerSecond: test.arrivalRate,
            seed: benchCase.generation.seed,
          },
        }),
    ...(slo === undefined ? {} : { slo }),
    ...generation,
  });
  // The runner's clock is performance.now(); the power sources stamp readings with Date.now().
  const epochOffsetMs = Date.now() - performance.now();
  const firstArrivalMs =
    level.requests.length > 0 ? Math.min(...level.requests.map((r) => r.arrivalMs)) : null;
  return {
    level: {
      testId: test.id,
      concurrency,
      stream: test.arrivalRate === undefined ? 'concurrency' : 'poisson',
      arrivalRate: test.arrivalRate ?? null,
      slo: slo ?? null,
      maxTokens: test.maxTokens,
      threads,
      summary: level.summary,
      requests: requestRecords(level.requests, slo),
    },
    window:
      firstArrivalMs === null
        ? null
        : {
            fromMs: epochOffsetMs + firstArrivalMs,
            toMs: epochOffsetMs + firstArrivalMs + level.summary.durationSeconds * 1000,
          },
  };
}
