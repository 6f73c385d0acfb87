/** The fingerprint of a case: the software stack, the host, the checked devices and load, the context used. */
import os from 'node:os';
import type {
  BenchCase,
  Fingerprint,
  GpuFacts,
  ModelFacts,
  OffloadFacts,
  ThreadPoolFacts,
} from '@rigbench/shared';
import { RIGBENCH_VERSION } from '@rigbench/shared';
import { osFacts } from './host-facts.js';
import type { CpuFacts } from './host-facts.js';
import { nodeLlamaCppVersion } from './versions.js';

/** What a worker group knows once its load was checked. */
export interface LoadedGroupFacts {
  loaded: {
    llamaCppRelease: string;
    uvThreadpoolSize: number;
    llamaBuild: { type: 'prebuilt' | 'localBuild'; systemInfo: string };
  };
  model: ModelFacts;
  /** The devices the load used, in the backend's order. */
  gpus: GpuFacts[];
  offload?: OffloadFacts;
}

/** The sizes llama.cpp actually uses for the case's context, and the device memory the context took. */
export interface ContextActuals {
  threads: number;
  contextSize: number;
  batchSize: number;
  contextVramBytes?: number;
  /** The context's thread pool as the worker's shim reported it. */
  threadPool?: ThreadPoolFacts;
}

/** Builds the fingerprint recorded with `case.started`. */
export function caseFingerprint(
  benchCase: BenchCase,
  host: CpuFacts,
  group: LoadedGroupFacts,
  actual: ContextActuals,
): Fingerprint {
  const usesGpu = benchCase.backend !== 'cpu';
  const system = osFacts();
  const offload =
    usesGpu && group.offload
      ? {
          ...group.offload,
          ...(actual.contextVramBytes != null ? { contextVramBytes: actual.contextVramBytes } : {}),
        }
      : undefined;
  return {
    rigbenchVersion: RIGBENCH_VERSION,
    nodeLlamaCppVersion: nodeLlamaCppVersion(),
    llamaCppRelease: group.loaded.llamaCppRelease,
    backend: benchCase.backend,
    gpus: usesGpu ? group.gpus : [],
    ...(offload ? { offload } : {}),
    driverVersion: usesGpu ? (group.gpus.find((gpu) => gpu.driverVersion)?.driverVersion ?? null) : null,
    cpuModel: host.cpuModel,
    cpuCores: host.cores,
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
    llamaBuild: group.loaded.llamaBuild,
    ...(actual.threadPool ? { threadPool: actual.threadPool } : {}),
  };
}
