/**
 * The engine's worker process (`child_process.fork` of the compiled `dist/engine/worker.js`). It loads one model
 * on one backend and measures the cases the engine sends it, one at a time, answering over IPC
 * (see `worker-protocol.ts`). A native crash or out-of-memory kill takes only this process down.
 */
import { getLlama, LlamaLogLevel, resolveChatWrapper, TokenBias } from 'node-llama-cpp';
import type { Llama, LlamaContext, LlamaModel, Token } from 'node-llama-cpp';
import type { Backend, LlamaBuild, Sample } from '@rigbench/shared';
// The PRNG's own entry point: the worker does not load the rest of @rigbench/shared (≈ 0.35 s, 30 MB RSS).
import { seededDraws } from '@rigbench/shared/random';
import type {
  BackendProbe,
  LoadedOffload,
  LoadRequest,
  ParentMessage,
  ProbeRequest,
  RunCaseRequest,
  WorkerMessage,
} from './worker-protocol.js';
import { devicesOfProbe } from './probe-devices.js';
import { createRawDecoder } from './raw-decoder.js';
import type { RawDecoderKind } from './raw-decoder.js';
import { rawLatencyPercentiles, runRawRepetition } from './raw-runner.js';
import { endOfGenerationBias, runChatRepetition } from './chat-runner.js';
import { latencyPercentiles } from './latency-stats.js';
import { ContextTooSmallError } from './engine-errors.js';
import { threadPoolReportReader } from './threadpool-shim.js';
import { measureLoadLevel } from './load-case.js';

interface Loaded {
  llama: Llama;
  model: LlamaModel;
  vocabularySize: number;
  eogBias?: TokenBias;
}

let loaded: Loaded | null = null;
/** Test and benchmark hook: force the public-API decoder to compare it with the direct one. */
const rawDecoderKind: RawDecoderKind =
  process.env.RIGBENCH_RAW_DECODER === 'sequence' ? 'sequence' : 'direct';

/** Where the preloaded thread-pool shim reports the pool of each context (`threadpool-shim.ts`). */
const threadPoolLine = threadPoolReportReader();

function send(message: WorkerMessage): void {
  process.send?.(message);
}

function peakRssBytes(): number {
  // resourceUsage().maxRSS is in kibibytes on Linux and macOS.
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * Marker cmake option for `prebuilt`: node-llama-cpp looks for a local build first, in a folder named after the
 * build options including custom cmake options, and falls back to the prebuilt binaries, whose lookup ignores
 * them. With the marker no local build matches, so a case asking for prebuilt binaries never silently runs on a
 * local build (and the fingerprint's `llamaBuild.type` says what really loaded).
 */
const PREBUILT_ONLY = { RIGBENCH_PREBUILT_ONLY: 'ON' };

/** `debugLines` collects llama.cpp's debug log (the probe reads device types from it) instead of printing it. */
async function llamaFor(
  backend: Backend,
  maxThreads: number,
  options: { build?: LlamaBuild; debugLines?: string[] } = {},
): Promise<Llama> {
  const { build = 'prebuilt', debugLines } = options;
  return getLlama({
    gpu: backend === 'cpu' ? false : backend,
    build: 'never',
    skipDownload: true,
    ...(build === 'local' ? { usePrebuiltBinaries: false } : { cmakeOptions: PREBUILT_ONLY }),
    maxThreads,
    logLevel: debugLines ? LlamaLogLevel.debug : LlamaLogLevel.warn,
    logger: (level, message) => {
      if (debugLines) debugLines.push(message);
      if (!debugLines || level === LlamaLogLevel.error || level === LlamaLogLevel.fatal)
        process.stderr.write(`[llama.cpp ${level}] ${message}\n`);
    },
  });
}

async function vramState(llama: Llama): Promise<{ total: number; used: number } | null> {
  if (llama.gpu === false) return null;
  const state = await llama.getVramState();
  return { total: state.total, used: state.used };
}

/** Vocabulary size from the token embedding tensor, falling back to the tokenizer's token list. */
function vocabularySizeOf(model: LlamaModel): number {
  const embedding = model.fileInfo.tensorInfo?.find((tensor) => tensor.name === 'token_embd.weight');
  const fromTensor = embedding?.dimensions[1];
  if (fromTensor != null) return Number(fromTensor);
  const tokens = model.fileInfo.metadata.tokenizer?.ggml?.tokens;
  if (tokens != null) return tokens.length;
  throw new Error(`cannot tell the vocabulary size of ${model.filename ?? 'the model'}`);
}

async function load(request: LoadRequest): Promise<void> {
  const initStart = performance.now();
  const llama = await llamaFor(request.backend, request.maxThreads, { build: request.build });
  const vramBefore = await vramState(llama);
  const loadStart = performance.now();
  const model = await llama.loadModel({
    modelPath: request.modelPath,
    gpuLayers: request.backend === 'cpu' ? 0 : request.gpuLayers,
  });
  const loadEnd = performance.now();
  loaded = { llama, model, vocabularySize: vocabularySizeOf(model) };
  const vram = await vramState(llama);
  send({
    type: 'loaded',
    loadSeconds: (loadEnd - loadStart) / 1000,
    backendInitSeconds: (loadStart - initStart) / 1000,
    llamaCppRelease: llama.llamaCppRelease.release,
    gpuDeviceNames: llama.gpu === false ? [] : await llama.getGpuDeviceNames(),
    vram,
    offload: request.backend === 'cpu' ? null : offloadOf(model, vramBefore, vram),
    uvThreadpoolSize: uvThreadpoolSize(),
    llamaBuild: { type: llama.buildType, systemInfo: llama.systemInfo },
  });
}

/**
 * True when the backend reports device memory in use: llvmpipe, for one, reports a total and 0 used whatever it
 * holds, and a difference of two zeros is no measurement.
 */
function reportsUsage(
  before: { used: number; total: number } | null,
  after: { used: number; total: number } | null,
): after is { used: number; total: number } {
  return before != null && after != null && after.total > 0 && after.used > 0;
}

/** Layers llama.cpp really put on the device(s), and the device memory the load took where it is reported. */
function offloadOf(
  model: LlamaModel,
  before: { used: number; total: number } | null,
  after: { used: number; total: number } | null,
): LoadedOffload {
  return {
    offloadedLayers: model.gpuLayers,
    totalLayers: model.fileInsights.totalLayers,
    ...(reportsUsage(before, after) ? { modelVramBytes: Math.max(0, after.used - (before?.used ?? 0)) } : {}),
  };
}

/** The libuv pool size this process runs with: libuv reads the variable once and defaults to 4. */
function uvThreadpoolSize(): number {
  const value = Number(process.env.UV_THREADPOOL_SIZE);
  return Number.isInteger(value) && value > 0 ? Math.min(value, 1024) : 4;
}

/** Tracks device memory during a repetition on GPU backends (polled; llama.cpp reports no peak itself). */
function vramTracker(llama: Llama): { stop(): Promise<Sample['vram']> } {
  if (llama.gpu === false) return { stop: async () => null };
  let before: number | null = null;
  let peak = 0;
  const poll = async (): Promise<void> => {
    const used = (await llama.getVramState()).used;
    before ??= used;
    peak = Math.max(peak, used);
  };
  const first = poll();
  // A failed poll only loses one point of the curve; it must not become an unhandled rejection.
  const timer = setInterval(() => void poll().catch(() => undefined), 100);
  return {
    async stop() {
      clearInterval(timer);
      await first;
      const after = (await llama.getVramState()).used;
      return { beforeBytes: before ?? after, peakBytes: Math.max(peak, after), afterBytes: after };
    },
  };
}

async function runCase(request: RunCaseRequest): Promise<void> {
  if (loaded == null) throw new Error('worker received a case before a model was loaded');
  const { benchCase, threads } = request;
  const vramBefore = await vramState(loaded.llama);
  const context = await loaded.model.createContext({
    contextSize: benchCase.contextSize,
    batchSize: benchCase.batchSize,
    threads,
    // A load level decodes `concurrency` requests together: one sequence each (every one holds contextSize cells).
    sequences: benchCase.workload.mode === 'load' ? benchCase.workload.concurrency : 1,
    flashAttention: benchCase.flashAttention,
    experimentalKvCacheKeyType: benchCase.kvCacheType.toUpperCase() as 'F16',
    experimentalKvCacheValueType: benchCase.kvCacheType.toUpperCase() as 'F16',
  });
  try {
    const vramAfter = await vramState(loaded.llama);
    send({
      type: 'case-ready',
      threads: context.currentThreads || threads,
      contextSize: context.contextSize,
      batchSize: context.batchSize,
      threadPoolLine: threadPoolLine(),
      ...(reportsUsage(vramBefore, vramAfter)
        ? { contextVramBytes: Math.max(0, vramAfter.used - (vramBefore?.used ?? 0)) }
        : {}),
    });
    if (benchCase.workload.mode === 'raw') await measureRaw(context, request);
    else if (benchCase.workload.mode === 'load')
      send({
        type: 'load-level',
        ...(await measureLoadLevel(context, loaded.model, benchCase, context.currentThreads || threads)),
      });
    else await measureChat(context, request);
  } finally {
    await context.dispose();
  }
  send({ type: 'case-done', peakRssBytes: peakRssBytes() });
}

function baseSample(
  request: RunCaseRequest,
  context: LlamaContext,
  repetition: number,
): Pick<
  Sample,
  'caseId' | 'repetition' | 'mode' | 'startedAt' | 'modelLoadSeconds' | 'threads' | 'batchSize'
> {
  return {
    caseId: request.benchCase.caseId,
    repetition,
    // Only chat and raw cases record samples; a load case records its level (`load-level`).
    mode: request.benchCase.workload.mode === 'raw' ? 'raw' : 'chat',
    startedAt: new Date().toISOString(),
    modelLoadSeconds: request.modelLoadSeconds,
    threads: context.currentThreads || request.threads,
    batchSize: context.batchSize,
  };
}

const rate = (tokens: number, seconds: number): number => (tokens > 0 && seconds > 0 ? tokens / seconds : 0);

async function measureRaw(context: LlamaContext, request: RunCaseRequest): Promise<void> {
  const { benchCase } = request;
  if (benchCase.workload.mode !== 'raw' || loaded == null) return;
  const test = benchCase.workload.test;
  const sequence = context.getSequence();
  const decoder = createRawDecoder(context, sequence, rawDecoderKind);
  // The direct decoder may fill every KV cell (llama-bench sizes n_ctx = depth + pp + tg); node-llama-cpp's own
  // evaluation keeps one cell free.
  const needed = test.depth + test.promptTokens + test.generatedTokens;
  const usable = decoder.kind === 'direct' ? context.contextSize : context.contextSize - 1;
  if (needed > usable) throw new ContextTooSmallError(benchCase.caseId, needed, context.contextSize);
  const random = seededDraws(benchCase.generation.seed);
  const bos = loaded.model.tokens.shouldPrependBosToken ? loaded.model.tokens.bos : null;
  for (let run = 0; run < benchCase.warmup + benchCase.repetitions; run++) {
    const repetition = run - benchCase.warmup;
    const base = baseSample(request, context, repetition);
    const vram = vramTracker(loaded.llama);
    const t = await runRawRepetition(decoder, test, random, loaded.vocabularySize, bos as number | null);
    const vramFigures = await vram.stop();
    if (repetition < 0) continue;
    send({
      type: 'sample',
      sample: {
        ...base,
        promptTokens: t.promptTokens,
        promptSeconds: t.promptSeconds,
        promptTokensPerSecond: rate(t.promptTokens, t.promptSeconds),
        ttftSeconds: t.ttftSeconds,
        generatedTokens: t.generatedTokens,
        decodeSeconds: t.decodeSeconds,
        decodeTokensPerSecond: rate(t.generatedTokens, t.decodeSeconds),
        interTokenLatency: rawLatencyPercentiles(t),
        endToEndSeconds: t.endToEndSeconds,
        vram: vramFigures,
        workerPeakRssBytes: peakRssBytes(),
        finishReason: 'completed',
      },
    });
  }
  await decoder.clear();
}

async function measureChat(context: LlamaContext, request: RunCaseRequest): Promise<void> {
  const { benchCase } = request;
  if (benchCase.workload.mode !== 'chat' || loaded == null) return;
  const { model } = loaded;
  const chatWrapper = resolveChatWrapper(model);
  const { contextText } = chatWrapper.generateContextState({
    chatHistory: [
      { type: 'user', text: benchCase.workload.prompt.text },
      { type: 'model', response: [] },
    ],
  });
  const promptTokens = contextText.tokenize(model.tokenizer) as Token[];
  const needed = promptTokens.length + benchCase.generation.maxTokens;
  if (needed > context.contextSize - 1)
    throw new ContextTooSmallError(benchCase.caseId, needed, context.contextSize);
  if (benchCase.generation.ignoreEos)
    loaded.eogBias ??= endOfGenerationBias(model, loaded.vocabularySize, new TokenBias(model.tokenizer));
  const sequence = context.getSequence();
  for (let run = 0; run < benchCase.warmup + benchCase.repetitions; run++) {
    const repetition = run - benchCase.warmup;
    const base = baseSample(request, context, repetition);
    const vram = vramTracker(loaded.llama);
    const t = await runChatRepetition(sequence, promptTokens, benchCase.generation, loaded.eogBias);
    const vramFigures = await vram.stop();
    if (repetition < 0) continue;
    // In chat mode the prompt's evaluation and the first sampling are one step: prompt time is TTFT.
    const promptSeconds = t.ttftSeconds ?? t.endToEndSeconds;
    send({
      type: 'sample',
      sample: {
        ...base,
        promptTokens: t.promptTokens,
        promptSeconds,
        promptTokensPerSecond: rate(t.promptTokens, promptSeconds),
        ttftSeconds: t.ttftSeconds,
        generatedTokens: t.generatedTokens,
        decodeSeconds: t.decodeSeconds,
        decodeTokensPerSecond: rate(t.generatedTokens - 1, t.decodeSeconds),
        interTokenLatency: t.interTokenGaps.length >= 1 ? latencyPercentiles(t.interTokenGaps) : null,
        endToEndSeconds: t.endToEndSeconds,
        vram: vramFigures,
        workerPeakRssBytes: peakRssBytes(),
        finishReason: t.finishReason,
      },
    });
  }
}

/**
 * Tries each requested backend in this process; a backend counts as loaded when `getLlama` hands back a build of
 * that GPU type. Its devices are those llama.cpp uses in this environment (ggml-vulkan skips CPU-type devices
 * unless `GGML_VK_VISIBLE_DEVICES` names them), with their kind read from llama.cpp's debug log and name.
 */
async function probe(request: ProbeRequest): Promise<void> {
  const backends: BackendProbe[] = [];
  for (const backend of request.backends) {
    const debugLines: string[] = [];
    try {
      const llama = await llamaFor(backend, 1, { debugLines });
      try {
        // getLlama may hand back a CPU build for a GPU type it cannot use; count only what was asked for.
        if (llama.gpu !== (backend === 'cpu' ? false : backend)) {
          const got = llama.gpu === false ? 'a CPU-only' : llama.gpu;
          backends.push({
            backend,
            loaded: false,
            reason: `getLlama loaded ${got} build instead`,
            devices: [],
          });
          continue;
        }
        const devices =
          backend === 'cpu'
            ? []
            : devicesOfProbe(
                backend,
                await llama.getGpuDeviceNames(),
                await llama.getVramState(),
                debugLines,
              );
        backends.push({ backend, loaded: true, devices });
      } finally {
        await llama.dispose();
      }
    } catch (error) {
      const reason =
        error instanceof Error ? `${error.name}: ${error.message.split('\n')[0]}` : String(error);
      backends.push({ backend, loaded: false, reason, devices: [] });
    }
  }
  send({ type: 'probe-result', backends });
}

async function handle(message: ParentMessage): Promise<void> {
  try {
    if (message.type === 'load') await load(message);
    else if (message.type === 'run') await runCase(message);
    else await probe(message);
  } catch (error) {
    const err = error instanceof Error ? error : new Error(String(error));
    send({ type: 'failed', error: { name: err.name, message: err.message } });
  }
}

// Requests are handled strictly one after the other.
let queue: Promise<void> = Promise.resolve();
process.on('message', (message: ParentMessage) => {
  queue = queue.then(() => handle(message));
});
// The engine going away (or closing the channel) ends the worker.
process.on('disconnect', () => process.exit(0));
