import type { Backend } from '../plan/plan-model.js';
import type { EnergySources } from './energy.js';
import type { DeviceKind } from './device-kind.js';

/** One GPU (or software device) as the agent saw it. */
export interface GpuFacts {
  /** The index a plan's `devices` names (`CUDA_VISIBLE_DEVICES` / `GGML_VK_VISIBLE_DEVICES`). */
  index: number;
  name: string;
  /** Discrete, integrated, virtual or software (llvmpipe…); absent in facts recorded before it was known. */
  kind?: DeviceKind;
  uuid?: string;
  vramTotalBytes?: number;
  vramUsedBytes?: number;
  vramFreeBytes?: number;
  driverVersion?: string;
}

/** What the model load really did on a GPU backend: layers on the device and the device memory taken. */
export interface OffloadFacts {
  /** Layers the plan asked for (`gpuLayers`). */
  requestedLayers: number | 'max';
  /** Layers llama.cpp put on the device(s) (`model.gpuLayers` after the load). */
  offloadedLayers: number;
  /** Layers the model has: its blocks plus the output layer. */
  totalLayers: number;
  /** Device memory the model load took, in bytes, summed over the devices; absent where none is reported. */
  modelVramBytes?: number;
  /** Device memory the case's context (KV cache, compute buffers) took, in bytes; absent where none is reported. */
  contextVramBytes?: number;
}

/** What a GGUF file says about itself. */
export interface ModelFacts {
  /** Path relative to the models directory, or the `hf:` URI. */
  source: string;
  sha256: string;
  fileSizeBytes: number;
  architecture: string;
  parameterCount: number | null;
  /** e.g. `Q4_K_M`, `F16`, from `general.file_type`. */
  quantization: string;
  trainedContextSize: number | null;
}

/**
 * Everything that can change a measurement without the plan changing. Two samples are comparable only when
 * their fingerprints agree; `compare` names every field that differs.
 */
export interface Fingerprint {
  rigbenchVersion: string;
  nodeLlamaCppVersion: string;
  /** llama.cpp release tag bundled with node-llama-cpp (e.g. `b6000`). */
  llamaCppRelease: string;
  backend: Backend;
  /** The devices the case ran on, in the order the backend was given them (empty on `cpu`). */
  gpus: GpuFacts[];
  /** Layers offloaded against requested; absent on `cpu` and in fingerprints recorded before it was checked. */
  offload?: OffloadFacts;
  /** GPU driver version, when any GPU is used. */
  driverVersion: string | null;
  cpuModel: string;
  cpuCores: { physical: number; logical: number };
  /**
   * Operating system with its distribution, e.g. `linux (Ubuntu 24.04)`. GetInfo's `hardware.os` carries the same
   * text; Node's platform and architecture (`linux-x64`) is GetInfo's `hardware.platform`, not recorded here.
   */
  os: string;
  kernel: string;
  nodeVersion: string;
  hostname: string;
  model: ModelFacts;
  threads: number;
  batchSize: number;
  contextSize: number;
  gpuLayers: number | 'max';
  flashAttention: boolean;
  kvCacheType: string;
  /**
   * `UV_THREADPOOL_SIZE` of the inference worker: it changes multi-thread decode speed (docs/measurement.md).
   * Absent in fingerprints recorded before it was set.
   */
  workerUvThreadpoolSize?: number;
  /**
   * The llama.cpp binaries that ran: node-llama-cpp's `prebuilt` ones or the node's `localBuild`
   * (`rigbench-agent build`), with llama.cpp's system info line (the CPU features it was built for).
   * Absent in fingerprints recorded before it was recorded.
   */
  llamaBuild?: { type: 'prebuilt' | 'localBuild'; systemInfo: string };
  /**
   * Whether the context had a persistent ggml thread pool (`attached`, as llama-bench runs) or ggml's threads
   * created per graph (`per-graph`, node-llama-cpp's own way), and why. Absent before it was recorded (per-graph).
   */
  threadPool?: ThreadPoolFacts;
  /** Power sources of the case's energy figures, and why one is missing. Absent before energy was measured. */
  energySources?: EnergySources;
}

/** The thread pool a case's context computed with (agent config `worker.threadPool`, docs/measurement.md). */
export type ThreadPoolFacts =
  { mode: 'attached'; threads: number; poll: number } | { mode: 'per-graph'; reason: string };

/** True when the case ran on a software device (llvmpipe, SwiftShader): CPU figures through a GPU API. */
export function ranOnSoftwareDevice(fingerprint: Pick<Fingerprint, 'gpus'>): boolean {
  return fingerprint.gpus.some((gpu) => gpu.kind === 'software');
}

/**
 * The backend as reports and metrics show it: `vulkan (software)` when the case ran on a software device, so its
 * figures are never merged with, or mistaken for, a GPU's.
 */
export function backendLabel(backend: Backend, fingerprint?: Pick<Fingerprint, 'gpus'> | null): string {
  return fingerprint && ranOnSoftwareDevice(fingerprint) ? `${backend} (software)` : backend;
}
