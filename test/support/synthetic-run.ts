import type { Fingerprint, RigbenchEvent, Sample } from '@rigbench/shared';

/** Shape of a synthetic run: what an agent would publish for `cases` cases of `samplesPerCase` samples. */
export interface SyntheticRunOptions {
  runId: string;
  agentId: string;
  /** Number of cases, named `c000-synthetic`, … unless `caseIds` names them. */
  cases: number;
  /** Case ids to use instead of generated ones (e.g. from `expandPlan` of a real plan). */
  caseIds?: readonly string[];
  samplesPerCase: number;
  /** Plan carried by `run.accepted` (default: a minimal placeholder object). */
  plan?: unknown;
  planName?: string;
  /** Deterministic base decode rate, tokens per second (default 20). */
  decodeTokensPerSecond?: number;
  /** ISO time stamped on every event (default: now). */
  time?: string;
  /** Indexes of cases that fail (no samples, outcome `failed`, run outcome `partial`); default none. */
  failedCaseIndexes?: readonly number[];
  /** Case ids that are serving-load levels: they finish `ok` without samples, as a real agent's do. */
  loadCaseIds?: readonly string[];
  /** Publish `run.accepted` without `caseIds`, as agents that predate them did (default false). */
  withoutCaseIds?: boolean;
}

const caseIdOf = (index: number): string => `c${String(index).padStart(3, '0')}-synthetic`;

function fingerprint(agentId: string): Fingerprint {
  return {
    rigbenchVersion: '0.0.0-synthetic',
    nodeLlamaCppVersion: '3.21.1',
    llamaCppRelease: 'b0000',
    backend: 'cpu',
    gpus: [],
    driverVersion: null,
    cpuModel: 'synthetic',
    cpuCores: { physical: 1, logical: 1 },
    os: 'linux',
    kernel: '0',
    nodeVersion: 'v0',
    hostname: agentId,
    model: {
      source: 'synthetic.gguf',
      sha256: '0'.repeat(64),
      fileSizeBytes: 1,
      architecture: 'llama',
      parameterCount: null,
      quantization: 'F32',
      trainedContextSize: null,
    },
    threads: 1,
    batchSize: 512,
    contextSize: 512,
    gpuLayers: 0,
    flashAttention: false,
    kvCacheType: 'f16',
  };
}

function sample(caseId: string, repetition: number, time: string, tps: number): Sample {
  return {
    caseId,
    repetition,
    mode: 'chat',
    startedAt: time,
    modelLoadSeconds: 0.25,
    promptTokens: 12,
    promptSeconds: 0.05,
    promptTokensPerSecond: 240,
    ttftSeconds: 0.06,
    generatedTokens: 32,
    decodeSeconds: 31 / tps,
    decodeTokensPerSecond: tps,
    interTokenLatency: { p50: 1 / tps, p90: 1.1 / tps, p99: 1.3 / tps },
    endToEndSeconds: 0.06 + 31 / tps,
    vram: null,
    workerPeakRssBytes: 150e6,
    threads: 1,
    batchSize: 512,
    finishReason: 'maxTokens',
  };
}

/**
 * Every event of one agent's run, in publishing order (seq 1..n): the agent's event contract without the agent,
 * for ingestion tests and benchmarks. Test-only (no shipped command publishes synthetic events).
 */
export function* syntheticRunEvents(options: SyntheticRunOptions): Generator<RigbenchEvent> {
  const { runId, agentId } = options;
  const time = options.time ?? new Date().toISOString();
  const baseTps = options.decodeTokensPerSecond ?? 20;
  const caseIds = options.caseIds ?? Array.from({ length: options.cases }, (_, i) => caseIdOf(i));
  let seq = 0;
  const base = () => ({ v: 1 as const, runId, agentId, seq: ++seq, time });
  yield {
    ...base(),
    type: 'run.accepted',
    planName: options.planName ?? 'synthetic',
    planHash: 'synthetic',
    plan: options.plan ?? { name: options.planName ?? 'synthetic' },
    caseCount: caseIds.length,
    ...(options.withoutCaseIds ? {} : { caseIds: [...caseIds] }),
  };
  const samplesPerCase: Record<string, number> = {};
  const caseOutcomes: Record<string, 'ok' | 'failed'> = {};
  const failing = new Set(options.failedCaseIndexes ?? []);
  for (const [c, caseId] of caseIds.entries()) {
    yield {
      ...base(),
      type: 'case.started',
      caseId,
      caseIndex: c,
      fingerprint: fingerprint(agentId),
      modelLoadSeconds: 0.25,
      modelReused: c > 0,
    };
    if (failing.has(c)) {
      const reason = 'synthetic failure: worker exited with code 1';
      yield { ...base(), type: 'case.finished', caseId, outcome: 'failed', reason, samples: 0 };
      samplesPerCase[caseId] = 0;
      caseOutcomes[caseId] = 'failed';
      continue;
    }
    const samples = options.loadCaseIds?.includes(caseId) ? 0 : options.samplesPerCase;
    for (let r = 0; r < samples; r += 1) {
      // A small deterministic wobble so statistics have something to chew on.
      const tps = baseTps * (1 + 0.02 * Math.sin(c * 7 + r * 3));
      yield { ...base(), type: 'sample.recorded', caseId, sample: sample(caseId, r, time, tps) };
    }
    yield { ...base(), type: 'case.finished', caseId, outcome: 'ok', samples };
    samplesPerCase[caseId] = samples;
    caseOutcomes[caseId] = 'ok';
  }
  const lastSeq = seq + 1;
  const outcome = failing.size > 0 ? 'partial' : 'completed';
  yield { ...base(), type: 'run.finished', outcome, samplesPerCase, caseOutcomes, lastSeq };
}

/** Events a synthetic run without failed cases publishes: 2 + cases × (samplesPerCase + 2). */
export const syntheticRunEventCount = (cases: number, samplesPerCase: number): number =>
  2 + cases * (samplesPerCase + 2);
