/**
 * The engine: runs bench cases in worker processes and turns what they measure into event payloads.
 *
 * Consecutive cases that share their load settings (model, backend, devices, gpuLayers) form a worker group: one
 * worker, one model load, its load time recorded once and `modelReused` true after the first case. A worker that
 * crashes, runs past the hard time limit or is cancelled is killed; its case fails with the reason, and the next
 * case starts a fresh worker. Model files are checked here, in the engine, before any worker loads them.
 *
 * Before a worker starts, a case is placed on the devices of its backend (`device-placement.ts`, from the probed
 * `backend-table.ts`); after the load, figures are refused when no layer reached a device or a software device ran
 * without the plan's opt-in. Over 400 lines because the run loop and the worker-group lifecycle are one state
 * machine; the parts that are not (fingerprint, placement, probing, payloads) live in their own modules.
 */
import type {
  Backend,
  BenchCase,
  CaseFinishedEvent,
  CaseStartedEvent,
  EventPayload,
  Fingerprint,
  LoadLevelRecordedEvent,
  GpuFacts,
  ModelFacts,
  SampleRecordedEvent,
} from '@rigbench/shared';
import { CaseEnergy, type CaseEnergyOptions } from '../energy/index.js';
import type { DownloadProgressListener } from '../security/download-progress.js';
import { probeBackendTable, unprobedTable } from './backend-table.js';
import type { BackendStatus } from './backend-table.js';
import { checkLoad, placeCase } from './device-placement.js';
import { CaseCancelledError, CaseTimeoutError, LoadRefusedError, WorkerTaskError } from './engine-errors.js';
import { caseFingerprint } from './case-fingerprint.js';
import { finished, messageOf } from './case-finished.js';
import { cpuFacts } from './host-facts.js';
import type { CpuFacts } from './host-facts.js';
import { inspectModelFile } from './model-file.js';
import { ModelHashCache } from './model-hash.js';
import { queryNvidiaSmi } from './nvidia-smi.js';
import { resolveThreads, type TunedThreads } from './threads.js';
import { withoutSecrets } from './worker-env.js';
import { resolveWorkerPath } from './worker-path.js';
import { WaitInterruptedError, WorkerProcess } from './worker-process.js';
import { chooseThreadPool, parseThreadPoolReport, preloadWith } from './threadpool-shim.js';
import type { ThreadPoolChoice, ThreadPoolOptions } from './threadpool-shim.js';
import type { BackendProbe, LoadedReply, WorkerMessage } from './worker-protocol.js';
import { silentLogger, type Logger } from '@rigbench/shared';

export type EngineEventPayload = EventPayload<
  CaseStartedEvent | SampleRecordedEvent | CaseFinishedEvent | LoadLevelRecordedEvent
>;

/** What a run may want to hear about besides the events the engine yields. */
export interface RunObserver {
  /** Progress of a model download the run's next case waits for (throttled). */
  onDownloadProgress?: DownloadProgressListener;
}

export interface EngineOptions {
  /**
   * Turns a plan's model source into a local file path (the service's secure resolver; `hf:` URIs included);
   * `signal` is the run's, so a download stops when the run is cancelled.
   */
  resolveModelPath(
    source: string,
    signal?: AbortSignal,
    onProgress?: DownloadProgressListener,
  ): Promise<string>;
  /** Hard limit per case, in milliseconds (the group's model load included); the worker is killed past it. */
  caseTimeoutMs: number;
  logger?: Logger;
  /** Extra environment for workers (added to the agent's own). */
  workerEnv?: NodeJS.ProcessEnv;
  /**
   * `UV_THREADPOOL_SIZE` of each worker; default {@link DEFAULT_WORKER_UV_THREADPOOL_SIZE}. node-llama-cpp runs each
   * decode on a libuv pool thread and ggml starts one helper thread per token; with libuv's default four pool
   * threads taking turns, the helper is queued on the busy CPU until the next scheduler tick and 2-thread decode
   * loses 2-3x (docs/measurement.md has the trace). Recorded in every fingerprint.
   */
  workerUvThreadpoolSize?: number;
  /** What `threads: auto` resolves to on this node when it was tuned (`rigbench tune`); else the built-in rule. */
  tunedThreads?: TunedThreads;
  /** sha256 cache file; default `~/.cache/rigbench/model-sha256.json`. */
  hashCacheFile?: string;
  /** Compiled worker script; default `dist/engine/worker.js` beside this module (see `worker-path.ts`). */
  workerPath?: string;
  /**
   * Power sampling per case (nvidia-smi, RAPL; see src/energy): default on with its defaults; `false` turns it
   * off. Sources that cannot be read are named in the fingerprint's `energySources`.
   */
  energy?: CaseEnergyOptions | false;
  /**
   * A persistent ggml thread pool per context (`threadpool-shim.ts`, agent config `worker.threadPool`); absent:
   * ggml's per-graph threads, as node-llama-cpp runs by itself. Recorded in every fingerprint as `threadPool`.
   */
  threadPool?: ThreadPoolOptions;
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

/** Key of a worker group: cases with equal keys share a worker and a model load. */
function loadKey(benchCase: BenchCase): string {
  return JSON.stringify([
    benchCase.model.source,
    benchCase.backend,
    benchCase.devices,
    benchCase.gpuLayers,
    benchCase.build ?? 'prebuilt',
    benchCase.allowSoftwareDevices === true,
  ]);
}

interface ActiveGroup {
  key: string;
  worker: WorkerProcess;
  /** Why a context of this group has no attached pool when the shim reports none (fingerprint `threadPool`). */
  threadPoolReason: string;
  loaded: LoadedReply;
  model: ModelFacts;
  /** The devices the load really used (checked), in the backend's order. */
  gpus: GpuFacts[];
  offload?: Fingerprint['offload'];
  casesRun: number;
}

export class InferenceEngine {
  private readonly logger: Logger;
  private readonly hashes: ModelHashCache;
  private backendsProbe: Promise<BackendStatus[]> | null = null;
  private hardwareFacts: Promise<HardwareFacts> | null = null;
  private cpu: CpuFacts | null = null;
  private smi: Promise<GpuFacts[] | null> | null = null;
  private currentWorker: WorkerProcess | null = null;
  private threadPool: Promise<ThreadPoolChoice> | null = null;

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

  /**
   * Backends a plan can use here without opting in to software devices, probed once in child processes (a failing
   * native load cannot hurt the agent).
   */
  async availableBackends(): Promise<Backend[]> {
    return (await this.probe()).filter((status) => status.available).map((status) => status.backend);
  }

  /** Every backend with its devices (kinds, VRAM) and, where it is not available, why. */
  async backendTable(): Promise<BackendStatus[]> {
    return this.probe();
  }

  async hardware(): Promise<HardwareFacts> {
    this.hardwareFacts ??= (async () => {
      const cpu = this.cpuFacts();
      const smi = await this.nvidiaSmi();
      if (smi != null && smi.length > 0)
        return {
          ...cpu,
          gpus: smi,
          driverVersion: smi.find((gpu) => gpu.driverVersion)?.driverVersion ?? null,
        };
      // Without nvidia-smi: the devices of the first GPU backend that lists any (Vulkan's include software ones).
      const table = await this.probe();
      const gpus =
        table.find((status) => status.backend !== 'cpu' && status.devices.length > 0)?.devices ?? [];
      return { ...cpu, gpus, driverVersion: null };
    })();
    return this.hardwareFacts;
  }

  /**
   * Runs `cases` in order; yields case.started / sample.recorded (chat, raw) or load.level.recorded (load) /
   * case.finished payloads. Stops on abort.
   */
  async *run(
    cases: BenchCase[],
    signal: AbortSignal,
    observer: RunObserver = {},
  ): AsyncGenerator<EngineEventPayload> {
    let group: ActiveGroup | null = null;
    // Loads that cannot give figures, not retried per case: refused ones would lie (no layer on the device,
    // software without opt-in) and fail; a local build the node does not have is skipped.
    const unloadable = new Map<string, { outcome: 'failed' | 'skipped'; reason: string }>();
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
        const table = await this.probe();
        const placement = placeCase(
          benchCase,
          table.find((status) => status.backend === benchCase.backend),
        );
        if (placement.action !== 'run') {
          const has = table.filter((status) => status.available).map((status) => status.backend);
          const reason =
            placement.action === 'skip'
              ? `backend ${benchCase.backend} is not available on this node (it has: ${has.join(', ') || 'none'}); ${placement.reason}`
              : placement.reason;
          yield finished(benchCase, placement.action === 'skip' ? 'skipped' : 'failed', 0, reason);
          continue;
        }
        const refused = unloadable.get(loadKey(benchCase));
        if (refused != null) {
          yield finished(benchCase, refused.outcome, 0, refused.reason);
          continue;
        }
        const deadline = performance.now() + this.options.caseTimeoutMs;
        let threads: number;
        try {
          threads = this.threadsFor(benchCase);
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
            group = await this.startGroup(benchCase, cases, i, signal, deadline, placement, observer);
          } catch (error) {
            const noLocalBuild = missingLocalBuild(benchCase, error);
            if (noLocalBuild !== null) {
              unloadable.set(key, { outcome: 'skipped', reason: noLocalBuild });
              yield finished(benchCase, 'skipped', 0, noLocalBuild);
              continue;
            }
            if (error instanceof LoadRefusedError)
              unloadable.set(key, { outcome: 'failed', reason: error.message });
            yield finished(benchCase, 'failed', 0, messageOf(error));
            if (error instanceof CaseCancelledError) return;
            continue;
          }
        }

        let samples = 0;
        let peakRss: number | undefined;
        const energy =
          this.options.energy === false
            ? null
            : await CaseEnergy.start(benchCase, this.options.energy ?? {}, signal);
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
                fingerprint: {
                  ...caseFingerprint(benchCase, await this.hardware(), group, {
                    ...message,
                    threadPool: parseThreadPoolReport(message.threadPoolLine ?? '', group.threadPoolReason),
                  }),
                  ...(energy ? { energySources: energy.sources } : {}),
                },
                modelLoadSeconds: group.loaded.loadSeconds,
                modelReused: reused,
              };
            } else if (message.type === 'sample') {
              samples++;
              peakRss = Math.max(peakRss ?? 0, message.sample.workerPeakRssBytes);
              const sample = energy ? await energy.attach(message.sample, signal) : message.sample;
              yield { type: 'sample.recorded', caseId: benchCase.caseId, sample };
            } else if (message.type === 'load-level') {
              const level = energy
                ? await energy.attachLevel(message.level, message.window, signal)
                : message.level;
              yield { type: 'load.level.recorded', caseId: benchCase.caseId, level };
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
        } finally {
          await energy?.stop();
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
    placement: Extract<ReturnType<typeof placeCase>, { action: 'run' }>,
    observer: RunObserver,
  ): Promise<ActiveGroup> {
    const modelPath = await this.options.resolveModelPath(
      benchCase.model.source,
      signal,
      observer.onDownloadProgress,
    );
    const inspected = await inspectModelFile(modelPath, benchCase.model.source);
    const model: ModelFacts = { ...inspected.facts, sha256: await this.hashes.sha256(modelPath) };

    // The worker's thread ceiling covers every case of the group (getLlama's maxThreads caps createContext).
    const key = loadKey(benchCase);
    let maxThreads = 1;
    for (let j = index; j < cases.length && loadKey(cases[j] as BenchCase) === key; j++)
      maxThreads = Math.max(maxThreads, this.threadsFor(cases[j] as BenchCase));

    this.threadPool ??= chooseThreadPool(this.options.threadPool, (msg, meta) => this.logger.warn(msg, meta));
    const pool = await this.threadPool;
    const worker = this.spawn({
      ...placement.env,
      ...(pool.shim ? { LD_PRELOAD: preloadWith(pool.shim, process.env) } : {}),
    });
    try {
      worker.send({
        type: 'load',
        modelPath,
        backend: benchCase.backend,
        gpuLayers: benchCase.gpuLayers,
        maxThreads,
        build: benchCase.build ?? 'prebuilt',
      });
      const reply = await this.next(worker, benchCase, signal, deadline);
      if (reply.type === 'failed')
        throw new WorkerTaskError(reply.error.name, `${reply.error.name}: ${reply.error.message}`);
      if (reply.type !== 'loaded') throw new Error(`worker answered ${reply.type} to a load request`);
      const check = checkLoad(benchCase, placement.devices, reply);
      if (!check.ok) throw new LoadRefusedError(check.reason);
      this.logger.info('model loaded', {
        caseId: benchCase.caseId,
        seconds: reply.loadSeconds,
        pid: worker.pid,
        devices: check.gpus.map((gpu) => gpu.name),
        offloadedLayers: check.offload?.offloadedLayers,
      });
      return {
        key,
        worker,
        threadPoolReason: pool.shim ? 'the shim was preloaded but attached no pool' : pool.reason,
        loaded: reply,
        model,
        gpus: check.gpus,
        ...(check.offload ? { offload: check.offload } : {}),
        casesRun: 0,
      };
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

  private threadsFor(benchCase: BenchCase): number {
    const tuned = this.options.tunedThreads;
    return resolveThreads(
      benchCase.threads,
      this.cpuFacts().cores.physical,
      tuned ? { workload: benchCase.workload, threads: tuned } : undefined,
    );
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

  private probe(): Promise<BackendStatus[]> {
    this.backendsProbe ??= this.nvidiaSmi()
      .then((smi) => probeBackendTable((b, env) => this.runProbe(b, env), smi, this.workerBaseEnv()))
      .then((table) => {
        this.logger.info('backends probed', {
          backends: table.map((s) => ({
            backend: s.backend,
            available: s.available,
            devices: s.devices.length,
          })),
        });
        return table;
      })
      .catch((error: unknown): BackendStatus[] => {
        // A probe that cannot run leaves the node with no known backend: every case is skipped with the reason,
        // the engine lives on, and the next call probes again.
        this.backendsProbe = null;
        this.logger.error('backend probe failed', { error: messageOf(error) });
        return unprobedTable(`the backend probe failed: ${messageOf(error)}`);
      });
    return this.backendsProbe;
  }

  private async runProbe(backends: Backend[], env: NodeJS.ProcessEnv): Promise<BackendProbe[]> {
    const worker = new WorkerProcess(this.options.workerPath ?? resolveWorkerPath(import.meta.url), {
      ...this.workerBaseEnv(),
      ...env,
    });
    try {
      worker.send({ type: 'probe', backends });
      const reply = await worker.next(new AbortController().signal, performance.now() + 120_000);
      if (reply.type !== 'probe-result') throw new Error(`backend probe answered ${reply.type}`);
      return reply.backends;
    } finally {
      await worker.stop();
    }
  }

  /** nvidia-smi's GPU list, asked once; null without an NVIDIA driver. Its GPUs are discrete cards. */
  private nvidiaSmi(): Promise<GpuFacts[] | null> {
    this.smi ??= queryNvidiaSmi().then(
      (gpus) => gpus?.map((gpu) => ({ kind: 'discrete' as const, ...gpu })) ?? null,
    );
    return this.smi;
  }

  private cpuFacts(): CpuFacts {
    this.cpu ??= cpuFacts();
    return this.cpu;
  }
}

/** The skip reason when a case asks for the node's local build and there is none (NoBinaryFoundError). */
function missingLocalBuild(benchCase: BenchCase, error: unknown): string | null {
  if (benchCase.build !== 'local' || !(error instanceof WorkerTaskError)) return null;
  // node-llama-cpp throws a plain Error whose message is the class name.
  if (error.remoteName !== 'NoBinaryFoundError' && !error.message.includes('NoBinaryFoundError')) return null;
  return (
    `no local llama.cpp build for ${benchCase.backend} on this node: build one with ` +
    `'rigbench-agent build --gpu ${benchCase.backend === 'cpu' ? 'false' : benchCase.backend}'`
  );
}
