/**
 * The engine: runs bench cases in worker processes and turns what they measure into event payloads.
 *
 * Consecutive cases that share their load settings (model, backend, devices, gpuLayers) form a worker group: one
 * worker, one model load, its load time recorded once and `modelReused` true after the first case. A worker that
 * crashes, runs past the hard time limit or is cancelled is killed; its case fails with the reason, and the next
 * case starts a fresh worker. Model files are checked here, in the engine, before any worker loads them.
 */
import os from 'node:os';
import type {
  Backend,
  BenchCase,
  CaseFinishedEvent,
  CaseStartedEvent,
  EventPayload,
  Fingerprint,
  GpuFacts,
  ModelFacts,
  SampleRecordedEvent,
} from '@rigbench/shared';
import { RIGBENCH_VERSION } from '@rigbench/shared';
import { CaseCancelledError, CaseTimeoutError, WorkerTaskError } from './engine-errors.js';
import { cpuFacts, osFacts } from './host-facts.js';
import type { CpuFacts } from './host-facts.js';
import { inspectModelFile } from './model-file.js';
import { ModelHashCache } from './model-hash.js';
import { queryNvidiaSmi } from './nvidia-smi.js';
import { resolveThreads } from './threads.js';
import { nodeLlamaCppVersion } from './versions.js';
import { withoutSecrets } from './worker-env.js';
import { resolveWorkerPath } from './worker-path.js';
import { WaitInterruptedError, WorkerProcess } from './worker-process.js';
import type { LoadedReply, ProbeReply, WorkerMessage } from './worker-protocol.js';

export type EngineEventPayload = EventPayload<CaseStartedEvent | SampleRecordedEvent | CaseFinishedEvent>;

export interface EngineLogger {
  info(msg: string, meta?: object): void;
  warn(msg: string, meta?: object): void;
  error(msg: string, meta?: object): void;
}

export interface EngineOptions {
  /**
   * Turns a plan's model source into a local file path (the service's secure resolver; `hf:` URIs included);
   * `signal` is the run's, so a download stops when the run is cancelled.
   */
  resolveModelPath(source: string, signal?: AbortSignal): Promise<string>;
  /** Hard limit per case, in milliseconds (the group's model load included); the worker is killed past it. */
  caseTimeoutMs: number;
  logger?: EngineLogger;
  /** Extra environment for workers (added to the agent's own). */
  workerEnv?: NodeJS.ProcessEnv;
  /**
   * `UV_THREADPOOL_SIZE` of each worker; default {@link DEFAULT_WORKER_UV_THREADPOOL_SIZE}. node-llama-cpp runs each
   * decode on a libuv pool thread and ggml starts one helper thread per token; with libuv's default four pool
   * threads taking turns, the helper is queued on the busy CPU until the next scheduler tick and 2-thread decode
   * loses 2-3x (docs/measurement.md has the trace). Recorded in every fingerprint.
   */
  workerUvThreadpoolSize?: number;
  /** sha256 cache file; default `~/.cache/rigbench/model-sha256.json`. */
  hashCacheFile?: string;
  /** Compiled worker script; default `dist/engine/worker.js` beside this module (see `worker-path.ts`). */
  workerPath?: string;
  /** Called with each worker's pid when it starts (logs, tests). */
  onWorkerSpawn?: (pid: number) => void;
}

/** The host and its GPUs as the engine sees them. */
export interface HardwareFacts {
  cpuModel: string;
  cores: { physical: number; logical: number };
  gpus: GpuFacts[];
  driverVersion: string | null;
}

/** The worker's libuv pool size unless configured: one pool thread, so ggml's helper lands on the idle CPU. */
export const DEFAULT_WORKER_UV_THREADPOOL_SIZE = 1;

const silentLogger: EngineLogger = { info() {}, warn() {}, error() {} };

/** Key of a worker group: cases with equal keys share a worker and a model load. */
function loadKey(benchCase: BenchCase): string {
  return JSON.stringify([benchCase.model.source, benchCase.backend, benchCase.devices, benchCase.gpuLayers]);
}

/** GPU selection through the environment: node-llama-cpp has no device option, llama.cpp reads these. */
export function deviceEnvironment(devices: number[]): NodeJS.ProcessEnv {
  if (devices.length === 0) return {};
  const list = devices.join(',');
  return { CUDA_VISIBLE_DEVICES: list, GGML_VK_VISIBLE_DEVICES: list };
}

interface ActiveGroup {
  key: string;
  worker: WorkerProcess;
  loaded: LoadedReply;
  model: ModelFacts;
  casesRun: number;
}

export class InferenceEngine {
  private readonly logger: EngineLogger;
  private readonly hashes: ModelHashCache;
  private backendsProbe: Promise<ProbeReply> | null = null;
  private hardwareFacts: Promise<HardwareFacts> | null = null;
  private cpu: CpuFacts | null = null;
  private currentWorker: WorkerProcess | null = null;

  constructor(private readonly options: EngineOptions) {
    if (!(options.caseTimeoutMs > 0))
      throw new TypeError('caseTimeoutMs must be a positive number of milliseconds');
    this.logger = options.logger ?? silentLogger;
    this.hashes = new ModelHashCache(options.hashCacheFile);
  }

  /** Pid of the worker measuring right now, if any. */
  get workerPid(): number | undefined {
    return this.currentWorker?.state === 'running' ? this.currentWorker.pid : undefined;
  }

  /** Backends this node can load, probed once in a child process (a failing native load cannot hurt the agent). */
  async availableBackends(): Promise<Backend[]> {
    return (await this.probe()).backends;
  }

  async hardware(): Promise<HardwareFacts> {
    this.hardwareFacts ??= (async () => {
      const cpu = this.cpuFacts();
      const smi = await queryNvidiaSmi();
      if (smi != null && smi.length > 0)
        return {
          ...cpu,
          gpus: smi,
          driverVersion: smi.find((gpu) => gpu.driverVersion)?.driverVersion ?? null,
        };
      const probe = await this.probe();
      const gpus = probe.gpuDeviceNames.map((name, index) => ({
        index,
        name,
        // llama.cpp reports VRAM summed over devices; attribute it only when there is exactly one.
        ...(probe.vram && probe.gpuDeviceNames.length === 1
          ? { vramTotalBytes: probe.vram.total, vramUsedBytes: probe.vram.used }
          : {}),
      }));
      return { ...cpu, gpus, driverVersion: null };
    })();
    return this.hardwareFacts;
  }

  /** Runs `cases` in order; yields case.started / sample.recorded / case.finished payloads. Stops on abort. */
  async *run(cases: BenchCase[], signal: AbortSignal): AsyncGenerator<EngineEventPayload> {
    let group: ActiveGroup | null = null;
    try {
      for (let i = 0; i < cases.length; i++) {
        const benchCase = cases[i] as BenchCase;
        if (signal.aborted) {
          yield finished(
            benchCase,
            'failed',
            0,
            `cancelled: the run was aborted before case ${benchCase.caseId}`,
          );
          return;
        }
        const probe = await this.probe();
        if (!probe.backends.includes(benchCase.backend)) {
          const why = probe.unavailable[benchCase.backend];
          yield finished(
            benchCase,
            'skipped',
            0,
            `backend ${benchCase.backend} is not available on this node (it has: ${probe.backends.join(', ') || 'none'})` +
              (why ? `; loading it failed with: ${why}` : ''),
          );
          continue;
        }
        const deadline = performance.now() + this.options.caseTimeoutMs;
        let threads: number;
        try {
          threads = resolveThreads(benchCase.threads, this.cpuFacts().cores.physical);
        } catch (error) {
          yield finished(benchCase, 'failed', 0, messageOf(error));
          continue;
        }

        const key = loadKey(benchCase);
        let reused = true;
        if (group == null || group.key !== key || group.worker.state !== 'running') {
          reused = false;
          await group?.worker.stop();
          group = null;
          try {
            group = await this.startGroup(benchCase, cases, i, signal, deadline);
          } catch (error) {
            yield finished(benchCase, 'failed', 0, messageOf(error));
            if (error instanceof CaseCancelledError) return;
            continue;
          }
        }

        let samples = 0;
        let peakRss: number | undefined;
        group.worker.send({ type: 'run', benchCase, threads, modelLoadSeconds: group.loaded.loadSeconds });
        try {
          for (;;) {
            const message = await this.next(group.worker, benchCase, signal, deadline);
            if (message.type === 'case-ready') {
              // Announced once the context exists, with the sizes llama.cpp actually uses.
              group.casesRun++;
              yield {
                type: 'case.started',
                caseId: benchCase.caseId,
                caseIndex: benchCase.index,
                fingerprint: await this.fingerprint(benchCase, group, message),
                modelLoadSeconds: group.loaded.loadSeconds,
                modelReused: reused,
              };
            } else if (message.type === 'sample') {
              samples++;
              peakRss = Math.max(peakRss ?? 0, message.sample.workerPeakRssBytes);
              yield { type: 'sample.recorded', caseId: benchCase.caseId, sample: message.sample };
            } else if (message.type === 'case-done') {
              yield finished(benchCase, 'ok', samples, undefined, message.peakRssBytes);
              break;
            } else if (message.type === 'failed') {
              yield finished(
                benchCase,
                'failed',
                samples,
                `${message.error.name}: ${message.error.message}`,
                peakRss,
              );
              break;
            }
          }
        } catch (error) {
          this.logger.warn('case failed, worker gone', { caseId: benchCase.caseId, error: messageOf(error) });
          await group.worker.kill();
          group = null;
          yield finished(benchCase, 'failed', samples, messageOf(error), peakRss);
          if (error instanceof CaseCancelledError) return;
        }
      }
    } finally {
      await group?.worker.stop();
      this.currentWorker = null;
    }
  }

  /** Checks the model, spawns a worker with the group's devices and loads the model in it. */
  private async startGroup(
    benchCase: BenchCase,
    cases: BenchCase[],
    index: number,
    signal: AbortSignal,
    deadline: number,
  ): Promise<ActiveGroup> {
    const modelPath = await this.options.resolveModelPath(benchCase.model.source, signal);
    const inspected = await inspectModelFile(modelPath, benchCase.model.source);
    const model: ModelFacts = { ...inspected.facts, sha256: await this.hashes.sha256(modelPath) };

    // The worker's thread ceiling covers every case of the group (getLlama's maxThreads caps createContext).
    const key = loadKey(benchCase);
    let maxThreads = 1;
    for (let j = index; j < cases.length && loadKey(cases[j] as BenchCase) === key; j++)
      maxThreads = Math.max(
        maxThreads,
        resolveThreads((cases[j] as BenchCase).threads, this.cpuFacts().cores.physical),
      );

    const worker = this.spawn(deviceEnvironment(benchCase.devices));
    try {
      worker.send({
        type: 'load',
        modelPath,
        backend: benchCase.backend,
        gpuLayers: benchCase.gpuLayers,
        maxThreads,
      });
      const reply = await this.next(worker, benchCase, signal, deadline);
      if (reply.type === 'failed')
        throw new WorkerTaskError(reply.error.name, `${reply.error.name}: ${reply.error.message}`);
      if (reply.type !== 'loaded') throw new Error(`worker answered ${reply.type} to a load request`);
      this.logger.info('model loaded', {
        caseId: benchCase.caseId,
        seconds: reply.loadSeconds,
        pid: worker.pid,
      });
      return { key, worker, loaded: reply, model, casesRun: 0 };
    } catch (error) {
      await worker.kill();
      throw error;
    }
  }

  private spawn(deviceEnv: NodeJS.ProcessEnv): WorkerProcess {
    const workerPath = this.options.workerPath ?? resolveWorkerPath(import.meta.url);
    const worker = new WorkerProcess(workerPath, { ...this.workerBaseEnv(), ...deviceEnv });
    this.currentWorker = worker;
    if (worker.pid != null) this.options.onWorkerSpawn?.(worker.pid);
    return worker;
  }

  /** Next worker reply; on abort or deadline kills the worker and throws the matching case error. */
  private async next(
    worker: WorkerProcess,
    benchCase: BenchCase,
    signal: AbortSignal,
    deadline: number,
  ): Promise<WorkerMessage> {
    try {
      return await worker.next(signal, deadline);
    } catch (error) {
      if (!(error instanceof WaitInterruptedError)) throw error;
      await worker.kill();
      if (error.why === 'aborted') throw new CaseCancelledError(benchCase.caseId, { cause: signal.reason });
      throw new CaseTimeoutError(benchCase.caseId, this.options.caseTimeoutMs);
    }
  }

  /** `UV_THREADPOOL_SIZE` every worker runs with (libuv reads it once, at the worker's first pool use). */
  get workerUvThreadpoolSize(): number {
    return this.options.workerUvThreadpoolSize ?? DEFAULT_WORKER_UV_THREADPOOL_SIZE;
  }

  /** The agent's environment without its secrets (`worker-env.ts`), plus the worker settings. */
  private workerBaseEnv(): NodeJS.ProcessEnv {
    return {
      ...withoutSecrets(process.env),
      ...this.options.workerEnv,
      UV_THREADPOOL_SIZE: String(this.workerUvThreadpoolSize),
    };
  }

  private probe(): Promise<ProbeReply> {
    this.backendsProbe ??= this.runProbe().catch((error: unknown): ProbeReply => {
      // A probe that cannot run leaves the node with no known backend: every case is skipped with the reason,
      // the engine lives on, and the next call probes again.
      this.backendsProbe = null;
      this.logger.error('backend probe failed', { error: messageOf(error) });
      const reason = `the backend probe failed: ${messageOf(error)}`;
      return {
        type: 'probe-result',
        backends: [],
        gpuDeviceNames: [],
        vram: null,
        unavailable: { cpu: reason, cuda: reason, vulkan: reason, metal: reason },
      };
    });
    return this.backendsProbe;
  }

  private async runProbe(): Promise<ProbeReply> {
    const worker = new WorkerProcess(
      this.options.workerPath ?? resolveWorkerPath(import.meta.url),
      this.workerBaseEnv(),
    );
    try {
      worker.send({ type: 'probe' });
      const reply = await worker.next(new AbortController().signal, performance.now() + 120_000);
      if (reply.type !== 'probe-result') throw new Error(`backend probe answered ${reply.type}`);
      this.logger.info('backends probed', { backends: reply.backends, unavailable: reply.unavailable });
      return reply;
    } finally {
      await worker.stop();
    }
  }

  private cpuFacts(): CpuFacts {
    this.cpu ??= cpuFacts();
    return this.cpu;
  }

  private async fingerprint(
    benchCase: BenchCase,
    group: ActiveGroup,
    actual: { threads: number; contextSize: number; batchSize: number },
  ): Promise<Fingerprint> {
    const hardware = await this.hardware();
    const usesGpu = benchCase.backend !== 'cpu';
    const selected =
      benchCase.devices.length > 0
        ? hardware.gpus.filter((gpu) => benchCase.devices.includes(gpu.index))
        : hardware.gpus;
    const system = osFacts();
    return {
      rigbenchVersion: RIGBENCH_VERSION,
      nodeLlamaCppVersion: nodeLlamaCppVersion(),
      llamaCppRelease: group.loaded.llamaCppRelease,
      backend: benchCase.backend,
      gpus: usesGpu ? selected : [],
      driverVersion: usesGpu ? hardware.driverVersion : null,
      cpuModel: hardware.cpuModel,
      cpuCores: hardware.cores,
      os: system.os,
      kernel: system.kernel,
      nodeVersion: process.version,
      hostname: os.hostname(),
      model: group.model,
      threads: actual.threads,
      batchSize: actual.batchSize,
      contextSize: actual.contextSize,
      gpuLayers: usesGpu ? benchCase.gpuLayers : 0,
      flashAttention: benchCase.flashAttention,
      kvCacheType: benchCase.kvCacheType,
      workerUvThreadpoolSize: group.loaded.uvThreadpoolSize,
    };
  }
}

function finished(
  benchCase: BenchCase,
  outcome: CaseFinishedEvent['outcome'],
  samples: number,
  reason?: string,
  workerPeakRssBytes?: number,
): EngineEventPayload {
  return {
    type: 'case.finished',
    caseId: benchCase.caseId,
    outcome,
    samples,
    ...(reason != null ? { reason } : {}),
    ...(workerPeakRssBytes != null ? { workerPeakRssBytes } : {}),
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
