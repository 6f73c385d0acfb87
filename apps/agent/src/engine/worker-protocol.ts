/**
 * Messages between the engine (parent) and a worker process, over the `child_process` IPC channel
 * (`serialization: 'advanced'`, so plain objects, numbers and nulls survive as they are).
 */
import type {
  Backend,
  BenchCase,
  GpuFacts,
  GpuLayers,
  LlamaBuild,
  LoadLevelRecord,
  Sample,
} from '@rigbench/shared';

/** Parent → worker: load the model of a worker group. Sent once per worker. */
export interface LoadRequest {
  type: 'load';
  modelPath: string;
  backend: Backend;
  gpuLayers: GpuLayers;
  /** Upper bound of threads any context of this worker will use (`getLlama({ maxThreads })`). */
  maxThreads: number;
  /** node-llama-cpp's prebuilt binaries, or the node's local build (`rigbench-agent build`). */
  build: LlamaBuild;
}

/** Parent → worker: measure one case on the loaded model. */
export interface RunCaseRequest {
  type: 'run';
  benchCase: BenchCase;
  /** Threads resolved by the engine (never `auto` here). */
  threads: number;
  /** Seconds the model took to load, copied into every sample. */
  modelLoadSeconds: number;
}

/**
 * Parent → worker: try to load `backends` and list the devices each one uses in this process's environment
 * (the engine probes Vulkan once more per device index, with `GGML_VK_VISIBLE_DEVICES` set, to see software ones).
 */
export interface ProbeRequest {
  type: 'probe';
  backends: Backend[];
}

export type ParentMessage = LoadRequest | RunCaseRequest | ProbeRequest;

/** What the worker learnt while loading. */
export interface LoadedReply {
  type: 'loaded';
  /** Wall-clock seconds of `llama.loadModel`, not counting `getLlama`. */
  loadSeconds: number;
  /** Seconds of `getLlama` (backend initialisation), reported apart from the model load. */
  backendInitSeconds: number;
  llamaCppRelease: string;
  /** Devices the loaded backend uses, in its order (`llama.getGpuDeviceNames()`); empty on CPU. */
  gpuDeviceNames: string[];
  vram: { total: number; used: number } | null;
  /** Layers on the device(s) and memory the load took; null on the CPU backend. */
  offload: LoadedOffload | null;
  /** `UV_THREADPOOL_SIZE` as this worker process saw it (libuv's default of 4 when unset). */
  uvThreadpoolSize: number;
  /** The binaries node-llama-cpp really loaded (`llama.buildType`) and what llama.cpp says they were built with. */
  llamaBuild: { type: 'prebuilt' | 'localBuild'; systemInfo: string };
}

/** What `model.gpuLayers` and the VRAM counters said after the load. */
export interface LoadedOffload {
  offloadedLayers: number;
  totalLayers: number;
  /** Device memory used after the load minus before it, in bytes; absent when the backend reports none. */
  modelVramBytes?: number;
}

export interface SampleReply {
  type: 'sample';
  sample: Sample;
}

/** A load case's level: its figures and every request (`load` cases send this instead of samples). */
export interface LoadLevelReply {
  type: 'load-level';
  level: LoadLevelRecord;
  /** First arrival to last token, epoch milliseconds (the level's energy window); null when nothing was sent. */
  window: { fromMs: number; toMs: number } | null;
}

/** The case's context exists; what llama.cpp actually uses (it rounds context sizes up, clamps batches). */
export interface CaseReadyReply {
  type: 'case-ready';
  threads: number;
  contextSize: number;
  batchSize: number;
  /** The thread-pool shim's report line for this context (`attached 2 50`, `none …`); null when it wrote none. */
  threadPoolLine: string | null;
  /** Device memory the context took, in bytes; absent on CPU or when the backend reports none. */
  contextVramBytes?: number;
}

export interface CaseDoneReply {
  type: 'case-done';
  /** Peak resident set size of the worker so far, in bytes. */
  peakRssBytes: number;
}

/** The worker caught an error; it stays alive and can take the next request. */
export interface FailedReply {
  type: 'failed';
  error: { name: string; message: string };
}

/** A device as a probe worker saw it; the engine derives its kind (`classifyDevice`). */
export interface ProbedDevice extends Omit<GpuFacts, 'kind'> {
  /** llama.cpp said the device is of CPU type (ggml-vulkan's log). */
  cpuType: boolean;
  /** The device shares the host's memory. */
  unifiedMemory: boolean;
}

/** One backend as a probe worker saw it. */
export interface BackendProbe {
  backend: Backend;
  /** `getLlama` loaded a build of this backend. */
  loaded: boolean;
  /** Why it did not load (plain: the missing driver or library where that can be told). */
  reason?: string;
  /**
   * Devices the backend uses in the probe's environment, in its order; `index` is the position in that list.
   * VRAM is attributed only when there is exactly one device (llama.cpp reports it summed).
   */
  devices: ProbedDevice[];
}

export interface ProbeReply {
  type: 'probe-result';
  backends: BackendProbe[];
}

export type WorkerMessage =
  LoadedReply | CaseReadyReply | SampleReply | LoadLevelReply | CaseDoneReply | FailedReply | ProbeReply;
