/**
 * Messages between the engine (parent) and a worker process, over the `child_process` IPC channel
 * (`serialization: 'advanced'`, so plain objects, numbers and nulls survive as they are).
 */
import type { Backend, BenchCase, GpuLayers, LlamaBuild, Sample } from '@rigbench/shared';

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

/** Parent → worker: find which backends this node can load. The worker answers and exits. */
export interface ProbeRequest {
  type: 'probe';
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
  gpuDeviceNames: string[];
  vram: { total: number; used: number } | null;
  /** `UV_THREADPOOL_SIZE` as this worker process saw it (libuv's default of 4 when unset). */
  uvThreadpoolSize: number;
  /** The binaries node-llama-cpp really loaded (`llama.buildType`) and what llama.cpp says they were built with. */
  llamaBuild: { type: 'prebuilt' | 'localBuild'; systemInfo: string };
}

export interface SampleReply {
  type: 'sample';
  sample: Sample;
}

/** The case's context exists; what llama.cpp actually uses (it rounds context sizes up, clamps batches). */
export interface CaseReadyReply {
  type: 'case-ready';
  threads: number;
  contextSize: number;
  batchSize: number;
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

export interface ProbeReply {
  type: 'probe-result';
  backends: Backend[];
  gpuDeviceNames: string[];
  vram: { total: number; used: number } | null;
  /** Why each missing backend could not be loaded. */
  unavailable: Partial<Record<Backend, string>>;
}

export type WorkerMessage =
  LoadedReply | CaseReadyReply | SampleReply | CaseDoneReply | FailedReply | ProbeReply;
