/**
 * The plan format's bounds, defaults and per-field "what would be valid" texts: the data `plan-schema.ts` builds
 * its zod schema from and `plan-issues.ts` words its errors with.
 */
import { BACKENDS, KV_CACHE_TYPES, LLAMA_BUILDS } from './plan-model.js';
import type { Backend, GpuLayers, KvCacheType, LlamaBuild, Threads } from './plan-model.js';

/** Model, prompt and agent ids: letters, digits, `.`, `_`, `-`, starting with a letter or digit. */
export const PLAN_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
/** Label selector keys (Kubernetes-like): letters, digits, `.`, `_`, `/`, `-`. */
export const LABEL_KEY_PATTERN = /^[A-Za-z0-9]([A-Za-z0-9._/-]*[A-Za-z0-9])?$/;

/** Numeric bounds of the plan format (inclusive). */
export const PLAN_LIMITS = {
  idLength: 64,
  repetitions: { min: 1, max: 1000 },
  warmup: { min: 0, max: 100 },
  rounds: { min: 1, max: 100 },
  /** Tokens. */
  contextSize: { min: 16, max: 1_048_576 },
  /** Tokens. */
  batchSize: { min: 1, max: 1_048_576 },
  threads: { min: 1, max: 1024 },
  gpuLayers: { min: 0, max: 10_000 },
  deviceIndex: { min: 0, max: 255 },
  /** Tokens, for raw tests' promptTokens, generatedTokens and depth. */
  rawTokens: { min: 0, max: 1_048_576 },
  /** Tokens. */
  maxTokens: { min: 1, max: 1_048_576 },
  temperature: { min: 0, max: 2 },
  topK: { min: 0, max: 100_000 },
  seed: { min: 0, max: 4_294_967_295 },
  /**
   * Requests in flight of a `load` level: each is one sequence of the level's context (llama.cpp allows 256 per
   * context, LLAMA_MAX_SEQ; 64 keeps one level's KV cache and event bounded). Also bounded by the context: every
   * sequence holds `contextSize` cells, so concurrency × contextSize ≤ {@link PLAN_LIMITS.loadKvCells}.
   */
  loadConcurrency: { min: 1, max: 64 },
  /** KV cells of one load level's context: concurrency × contextSize. */
  loadKvCells: 1_048_576,
  /** Requests per load level (each becomes one entry of the level's event). */
  loadRequests: { min: 1, max: 1000 },
  /** Seconds of a duration-bounded load level. */
  loadDurationSeconds: { min: 1, max: 3600 },
  /** Poisson arrival rate of a load test, requests per second (exclusive minimum). */
  loadArrivalRate: { min: 0, max: 10_000 },
  /** Prompts of one load test. */
  loadPrompts: { min: 1, max: 100 },
  /** Seconds of a load SLO (exclusive minimum). */
  loadSloSeconds: { min: 0, max: 3600 },
  /** Characters of free text: `description` and label selector values (a plan travels inside one event). */
  descriptionLength: 10_000,
  labelValueLength: 253,
} as const;

/** The defaults filled in for omitted keys. */
export const PLAN_DEFAULTS = {
  matrix: {
    backend: ['cpu'] as Backend[],
    devices: [[]] as number[][],
    gpuLayers: ['max'] as GpuLayers[],
    contextSize: [4096],
    batchSize: [512],
    threads: ['auto'] as Threads[],
    flashAttention: [false],
    kvCacheType: ['f16'] as KvCacheType[],
    build: ['prebuilt'] as LlamaBuild[],
  },
  generation: { maxTokens: 128, temperature: 0, seed: 42, ignoreEos: false },
  warmup: 1,
  repetitions: 3,
} as const;

const ID_EXPECTED = `an id of letters, digits, ".", "_" or "-" starting with a letter or digit, at most ${PLAN_LIMITS.idLength} characters`;
const range = (limits: { min: number; max: number }, what = 'an integer'): string =>
  `${what} from ${limits.min} to ${limits.max}`;

/**
 * What would be valid at each field, keyed by path with list indexes written `[]` (`matrix.threads[]`).
 * Error messages say what is wrong; this says what to write instead.
 */
export const PLAN_FIELD_EXPECTATIONS: Readonly<Record<string, string>> = {
  '': 'a mapping with version, name, models, prompts and optionally matrix, generation, warmup, repetitions, rounds, order, targets, schedule, allowSoftwareDevices',
  allowSoftwareDevices:
    'true to benchmark GPU backends on software devices (llvmpipe, lavapipe, SwiftShader) when no GPU is there; false or absent to skip them',
  version: '1',
  name: 'a non-empty name',
  description: `text of at most ${PLAN_LIMITS.descriptionLength} characters`,
  models: 'a non-empty list of models, each { id, source }',
  'models[]': 'a mapping { id, source }',
  'models[].id': ID_EXPECTED,
  'models[].source':
    'a .gguf path relative to the agent\'s models directory without ".." (e.g. llama-8b/model-Q4_K_M.gguf), ' +
    'or an hf: URI (e.g. hf:user/repo:Q4_K_M)',
  prompts: 'a mapping { chat, raw, load } with at least one chat prompt, raw test or load test',
  'prompts.chat': 'a list of chat prompts, each { id, text }',
  'prompts.chat[]': 'a mapping { id, text }',
  'prompts.chat[].id': `${ID_EXPECTED}, unique among chat prompts, raw tests and load tests`,
  'prompts.chat[].text': 'the prompt as a user types it (non-empty text)',
  'prompts.raw': 'a list of raw tests, each { id, promptTokens, generatedTokens, depth }',
  'prompts.raw[]': 'a mapping { id, promptTokens, generatedTokens, depth } measuring at least one token',
  'prompts.raw[].id': `${ID_EXPECTED}, unique among chat prompts, raw tests and load tests`,
  'prompts.raw[].promptTokens': range(PLAN_LIMITS.rawTokens),
  'prompts.raw[].generatedTokens': range(PLAN_LIMITS.rawTokens),
  'prompts.raw[].depth': range(PLAN_LIMITS.rawTokens),
  'prompts.load':
    'a list of load tests, each { id, concurrency, requests or durationSeconds, prompts, maxTokens }',
  'prompts.load[]':
    'a mapping { id, concurrency, arrivalRate, requests, durationSeconds, prompts, maxTokens, slo } with exactly one of requests and durationSeconds',
  'prompts.load[].id': `${ID_EXPECTED}, unique among chat prompts, raw tests and load tests`,
  'prompts.load[].concurrency': `a non-empty list of distinct request counts in flight, each ${range(PLAN_LIMITS.loadConcurrency)}, e.g. [1, 2, 4]`,
  'prompts.load[].concurrency[]': `requests in flight: ${range(PLAN_LIMITS.loadConcurrency)}, with concurrency × matrix.contextSize at most ${PLAN_LIMITS.loadKvCells}`,
  'prompts.load[].arrivalRate': `a Poisson arrival rate in requests per second, greater than ${PLAN_LIMITS.loadArrivalRate.min} and at most ${PLAN_LIMITS.loadArrivalRate.max} (leave out for a closed loop)`,
  'prompts.load[].requests': `requests per level: ${range(PLAN_LIMITS.loadRequests)}`,
  'prompts.load[].durationSeconds': `seconds per level: ${range(PLAN_LIMITS.loadDurationSeconds, 'a number')} (at most ${PLAN_LIMITS.loadRequests.max} requests are sent)`,
  'prompts.load[].prompts': `a list of ${PLAN_LIMITS.loadPrompts.min} to ${PLAN_LIMITS.loadPrompts.max} chat prompts as a user types them`,
  'prompts.load[].prompts[]': 'a prompt as a user types it (non-empty text)',
  'prompts.load[].maxTokens': `output tokens per request: ${range(PLAN_LIMITS.maxTokens)}, smaller than every matrix.contextSize`,
  'prompts.load[].slo':
    'a mapping { ttftSeconds, itlP90Seconds, e2elSeconds } (each optional), e.g. { ttftSeconds: 2, itlP90Seconds: 0.1 }',
  'prompts.load[].slo.ttftSeconds': `seconds to first token from arrival, greater than 0 and at most ${PLAN_LIMITS.loadSloSeconds.max}`,
  'prompts.load[].slo.itlP90Seconds': `seconds, the request's p90 inter-token latency, greater than 0 and at most ${PLAN_LIMITS.loadSloSeconds.max}`,
  'prompts.load[].slo.e2elSeconds': `seconds from arrival to the last token, greater than 0 and at most ${PLAN_LIMITS.loadSloSeconds.max}`,
  matrix:
    'a mapping of axes: backend, devices, gpuLayers, contextSize, batchSize, threads, flashAttention, kvCacheType, build',
  'matrix.backend': `a non-empty list of distinct backends from ${BACKENDS.join(', ')}`,
  'matrix.backend[]': `one of ${BACKENDS.join(', ')}`,
  'matrix.devices': 'a non-empty list of distinct GPU index sets, e.g. [[0], [0, 1]] ([[]] for no selection)',
  'matrix.devices[]': 'a list of distinct GPU indexes, e.g. [0, 1] ([] for no selection)',
  'matrix.devices[][]': `a GPU index: ${range(PLAN_LIMITS.deviceIndex)}`,
  'matrix.gpuLayers': `a non-empty list of distinct values, each "max" or ${range(PLAN_LIMITS.gpuLayers)}`,
  'matrix.gpuLayers[]': `"max" or ${range(PLAN_LIMITS.gpuLayers)}`,
  'matrix.contextSize': `a non-empty list of distinct token counts, each ${range(PLAN_LIMITS.contextSize)}`,
  'matrix.contextSize[]': `a token count: ${range(PLAN_LIMITS.contextSize)}`,
  'matrix.batchSize': `a non-empty list of distinct token counts, each ${range(PLAN_LIMITS.batchSize)}`,
  'matrix.batchSize[]': `a token count: ${range(PLAN_LIMITS.batchSize)}`,
  'matrix.threads': `a non-empty list of distinct values, each "auto" or ${range(PLAN_LIMITS.threads)}`,
  'matrix.threads[]': `"auto" or ${range(PLAN_LIMITS.threads)}`,
  'matrix.flashAttention': 'a non-empty list of distinct booleans, e.g. [false, true]',
  'matrix.flashAttention[]': 'true or false',
  'matrix.kvCacheType': `a non-empty list of distinct KV cache types from ${KV_CACHE_TYPES.join(', ')}`,
  'matrix.kvCacheType[]': `one of ${KV_CACHE_TYPES.join(', ')}`,
  'matrix.build': `a non-empty list of distinct builds from ${LLAMA_BUILDS.join(', ')}`,
  'matrix.build[]': `one of ${LLAMA_BUILDS.join(', ')} (local: the build rigbench-agent build makes)`,
  generation: 'a mapping { maxTokens, temperature, topK, topP, seed, ignoreEos }',
  'generation.maxTokens': `${range(PLAN_LIMITS.maxTokens)}, smaller than every matrix.contextSize`,
  'generation.temperature': range(PLAN_LIMITS.temperature, 'a number'),
  'generation.topK': `${range(PLAN_LIMITS.topK)} (0 disables top-k)`,
  'generation.topP': 'a number greater than 0 and at most 1',
  'generation.seed': range(PLAN_LIMITS.seed),
  'generation.ignoreEos': 'true or false',
  warmup: range(PLAN_LIMITS.warmup),
  repetitions: range(PLAN_LIMITS.repetitions),
  rounds: `${range(PLAN_LIMITS.rounds)} (every case runs once per round; default 1)`,
  order: 'grouped (default) or interleaved (seeded random case order inside each round)',
  targets: 'a mapping { agents, selector }',
  'targets.agents': 'a list of distinct agent ids',
  'targets.agents[]': ID_EXPECTED,
  'targets.selector': 'a mapping of label: value, e.g. { gpu: p104-100 }',
  'targets.selector.*': 'a label value: text, a number or a boolean',
  schedule: 'a list of { cron, label }',
  'schedule[]': 'a mapping { cron, label }',
  'schedule[].cron':
    'a 5-field cron expression "minute hour day-of-month month day-of-week", e.g. "0 8 * * *"',
  'schedule[].label': 'a short non-empty label, e.g. morning',
};
