/**
 * The benchmark plan as the rest of rigbench sees it once it has been parsed and validated
 * (see `plan-schema.ts` for the YAML surface and its defaults).
 */

/** Inference backends a plan may ask for. */
export const BACKENDS = ['cpu', 'cuda', 'vulkan', 'metal'] as const;
/** How cases are ordered inside a round (see {@link BenchPlan.order}). */
export const CASE_ORDERS = ['grouped', 'interleaved'] as const;
export type CaseOrder = (typeof CASE_ORDERS)[number];
export type Backend = (typeof BACKENDS)[number];

/** KV cache element types llama.cpp accepts for keys and values. */
export const KV_CACHE_TYPES = ['f32', 'f16', 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1'] as const;
export type KvCacheType = (typeof KV_CACHE_TYPES)[number];

/**
 * Which llama.cpp binaries a case runs on: node-llama-cpp's `prebuilt` ones, or the `local` build that
 * `rigbench-agent build` compiles on the node from the bundled release (the `build` axis answers "is a local
 * build worth it on my box?").
 */
export const LLAMA_BUILDS = ['prebuilt', 'local'] as const;
export type LlamaBuild = (typeof LLAMA_BUILDS)[number];

/** A model to benchmark: `source` is a path relative to the agent's models directory, or an `hf:` URI. */
export interface ModelRef {
  /** Short stable id used in reports and metric labels (e.g. `llama-8b-q4`). */
  id: string;
  source: string;
}

/** A prompt as a person types it; run through the model's chat template. */
export interface ChatPrompt {
  id: string;
  text: string;
}

/** A llama-bench style synthetic test: random tokens, no sampling. */
export interface RawTest {
  id: string;
  /** Tokens evaluated as one batch (llama-bench `-p`); 0 for a pure generation test. */
  promptTokens: number;
  /** Single-token decodes (llama-bench `-n`); 0 for a pure prompt-processing test. */
  generatedTokens: number;
  /** Tokens pre-filled into the context before the measured part (llama-bench `-d`). */
  depth: number;
}

/**
 * Service-level objectives of a `load` test, in seconds (vLLM `bench serve --goodput ttft:… tpot:… e2el:…` takes
 * the same in milliseconds). A request meets the SLOs when it meets every one given.
 */
export interface LoadSloSettings {
  /** Time to first token, from the request's arrival (queueing included). */
  ttftSeconds?: number;
  /** 90th percentile of the request's own inter-token latencies. */
  itlP90Seconds?: number;
  /** End-to-end latency, from arrival to the last token. */
  e2elSeconds?: number;
}

/**
 * A serving-load test: requests from `prompts` answered on parallel sequences of one context, at each level of
 * `concurrency` (one case per level). Closed loop by default (a request is sent as soon as a slot frees, vLLM's
 * `--max-concurrency`); with `arrivalRate`, requests arrive as a seeded Poisson stream and wait for a free slot.
 */
export interface LoadTest {
  id: string;
  /** Requests in flight at most, one case per value (a sweep shows where the box saturates). */
  concurrency: number[];
  /** Poisson arrivals at this mean rate, requests per second; absent: closed loop. */
  arrivalRate?: number;
  /** Requests per level (exactly one of `requests` and `durationSeconds`). */
  requests?: number;
  /** Requests are sent for this long per level, at most `PLAN_LIMITS.loadRequests.max` of them. */
  durationSeconds?: number;
  /** Chat prompts as a user types them (through the model's chat template), used round-robin. */
  prompts: string[];
  /** Output tokens of every request (end-of-sequence ignored, as vLLM's `--ignore-eos`). */
  maxTokens: number;
  slo?: LoadSloSettings;
}

/** `'max'` offloads every layer; a number offloads that many. */
export type GpuLayers = 'max' | number;
/** `'auto'` lets rigbench pick a measured-good value for the machine; the value used is always recorded. */
export type Threads = 'auto' | number;

/** Every axis is a list; the plan expands to their cartesian product. */
export interface PlanMatrix {
  backend: Backend[];
  /** GPU index sets, e.g. `[[0], [0, 1]]`; `[[]]` means "no GPU selection" (CPU, or the backend's default). */
  devices: number[][];
  gpuLayers: GpuLayers[];
  contextSize: number[];
  batchSize: number[];
  threads: Threads[];
  flashAttention: boolean[];
  kvCacheType: KvCacheType[];
  build: LlamaBuild[];
}

export interface GenerationSettings {
  /** Upper bound of generated tokens per chat answer. */
  maxTokens: number;
  temperature: number;
  topK?: number;
  topP?: number;
  seed: number;
  /** Keep generating past end-of-sequence until `maxTokens` (stable token counts across runs). */
  ignoreEos: boolean;
}

export interface PlanTargets {
  /** Agent ids; empty means "not selected by id". */
  agents: string[];
  /** Label selector (`key: value`, all must match); empty means "not selected by label". */
  selector: Record<string, string>;
}

export interface PlanSchedule {
  /** Standard 5-field cron expression, in the controller's local time. */
  cron: string;
  /** Free-form label stored with runs started by this schedule (e.g. `morning`). */
  label?: string;
}

/** A validated benchmark plan with every default filled in. */
export interface BenchPlan {
  version: 1;
  name: string;
  description?: string;
  models: ModelRef[];
  /** Chat prompts, raw tests and (optional, absent in older plans) serving-load tests. */
  prompts: { chat: ChatPrompt[]; raw: RawTest[]; load?: LoadTest[] };
  matrix: PlanMatrix;
  generation: GenerationSettings;
  /** Unrecorded runs before the measured ones, per case. */
  warmup: number;
  /** Measured runs per case inside one round. */
  repetitions: number;
  /**
   * Rounds: every case runs once per round, round after round (default 1). The round is the unit of replication
   * of the answers (docs/measurement.md); repetitions only measure the noise inside a round.
   */
  rounds?: number;
  /**
   * Case order inside a round: `grouped` (default: plan order, cases sharing a model load together) or
   * `interleaved` (seeded random order of the load groups and of the cases inside each, new every round, so
   * drift during a day cannot pose as a difference between configurations; a model is still loaded once per
   * load group and round).
   */
  order?: CaseOrder;
  targets: PlanTargets;
  schedule: PlanSchedule[];
  /**
   * Run GPU backends on software devices (Mesa's llvmpipe/lavapipe, SwiftShader) when no GPU is there; absent or
   * false skips them. Their figures are CPU figures through a GPU API and are marked software everywhere.
   */
  allowSoftwareDevices?: boolean;
}

/** What one case measures: a chat prompt, a raw llama-bench style test, or one concurrency level of a load test. */
export type CaseWorkload =
  | { mode: 'chat'; prompt: ChatPrompt }
  | { mode: 'raw'; test: RawTest }
  | { mode: 'load'; test: LoadTest; concurrency: number };

/** The settings that decide how a model is loaded; cases sharing them reuse one worker and one load. */
export interface LoadSettings {
  model: ModelRef;
  backend: Backend;
  devices: number[];
  gpuLayers: GpuLayers;
  /** Binaries to load; absent (cases built before the axis existed) means `prebuilt`. */
  build?: LlamaBuild;
}

/** One point of the expanded matrix: a workload under one combination of settings. */
export interface BenchCase extends LoadSettings {
  /** Position in the expanded plan, from 0, in execution order. */
  index: number;
  /** Stable, human-readable id, unique within the plan (e.g. `c007-llama-8b-cuda-d0-q2`). */
  caseId: string;
  contextSize: number;
  batchSize: number;
  threads: Threads;
  flashAttention: boolean;
  kvCacheType: KvCacheType;
  workload: CaseWorkload;
  generation: GenerationSettings;
  warmup: number;
  repetitions: number;
  /** Copied from the plan when true: the case may run on a software device. */
  allowSoftwareDevices?: boolean;
  /**
   * Which of the plan's `rounds` this case belongs to, from 0; absent for plans of one round. Rounds are the
   * unit of replication: each round runs every case once more, so a session effect shows as round-to-round spread.
   */
  round?: number;
}
