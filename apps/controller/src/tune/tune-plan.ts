import { validatePlan, type Backend, type BenchPlan, type BenchCase } from '@rigbench/shared';
import type { CandidateBlock, TuneCandidate } from './tune-candidates.js';
import { candidateKey } from './tune-candidates.js';
import type { TuneMetric } from './tune-search.js';

/** What every tune run measures: llama-bench style pp and tg tests on one model, on one agent. */
export interface TuneWorkload {
  agentId: string;
  backend: Backend;
  /** Model source as the agent's models directory names it. */
  model: string;
  promptTokens: number;
  generatedTokens: number;
  repetitions: number;
}

/** The raw tests' ids; tune tells the metric of a sample by its case's test. */
export const TUNE_TESTS = { prompt: 'tune-pp', decode: 'tune-tg' } as const;

/** Smallest context that holds either test (llama-bench's n_ctx = pp + tg), rounded up to 256. */
export function tuneContextSize(w: Pick<TuneWorkload, 'promptTokens' | 'generatedTokens'>): number {
  return Math.max(256, Math.ceil((Math.max(w.promptTokens, w.generatedTokens) + 1) / 256) * 256);
}

/** A validated plan measuring one block of candidates (a cartesian product) with the tune workload. */
export function tunePlan(workload: TuneWorkload, block: CandidateBlock, round: number): BenchPlan {
  const modelId =
    workload.model
      .replace(/\.gguf$/i, '')
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .slice(0, 64) || 'model';
  return validatePlan(
    {
      version: 1,
      name: `tune-${modelId}`.slice(0, 100),
      description: `rigbench tune round ${round}: ${block.threads.length * block.batchSize.length * block.gpuLayers.length} candidates`,
      models: [{ id: modelId, source: workload.model }],
      prompts: {
        raw: [
          { id: TUNE_TESTS.prompt, promptTokens: workload.promptTokens, generatedTokens: 0 },
          { id: TUNE_TESTS.decode, promptTokens: 0, generatedTokens: workload.generatedTokens },
        ],
      },
      matrix: {
        backend: [workload.backend],
        gpuLayers: workload.backend === 'cpu' ? [0] : block.gpuLayers,
        contextSize: [tuneContextSize(workload)],
        batchSize: block.batchSize,
        threads: block.threads,
        flashAttention: [block.flashAttention],
        kvCacheType: [block.kvCacheType],
      },
      warmup: 1,
      repetitions: workload.repetitions,
      targets: { agents: [workload.agentId] },
    },
    `tune round ${round}`,
  );
}

/** The candidate and metric a measured case belongs to, or null for a case tune did not plan. */
export function caseCandidate(
  benchCase: BenchCase,
  threadsUsed: number,
): { key: string; metric: TuneMetric } | null {
  if (benchCase.workload.mode !== 'raw') return null;
  const metric =
    benchCase.workload.test.id === TUNE_TESTS.prompt
      ? 'prompt'
      : benchCase.workload.test.id === TUNE_TESTS.decode
        ? 'decode'
        : null;
  if (metric === null) return null;
  const c: Omit<TuneCandidate, 'key'> = {
    threads: threadsUsed,
    batchSize: benchCase.batchSize,
    flashAttention: benchCase.flashAttention,
    kvCacheType: benchCase.kvCacheType,
    gpuLayers: benchCase.backend === 'cpu' ? 0 : benchCase.gpuLayers,
  };
  return { key: candidateKey(c), metric };
}
