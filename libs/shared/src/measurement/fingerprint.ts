import type { Backend } from '../plan/plan-model.js';
import type { EnergySources } from './energy.js';

/** One GPU as the agent saw it. */
export interface GpuFacts {
  index: number;
  name: string;
  uuid?: string;
  vramTotalBytes?: number;
  vramUsedBytes?: number;
  driverVersion?: string;
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
  gpus: GpuFacts[];
  /** GPU driver version, when any GPU is used. */
  driverVersion: string | null;
  cpuModel: string;
  cpuCores: { physical: number; logical: number };
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
  /** Power sources of the case's energy figures, and why one is missing. Absent before energy was measured. */
  energySources?: EnergySources;
}
