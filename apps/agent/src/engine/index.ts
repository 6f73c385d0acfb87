/** The agent's inference engine: worker-process supervision, raw and chat measurements, fingerprints. */
export { InferenceEngine } from './inference-engine.js';
export { checkLoad, deviceEnvironment, placeCase } from './device-placement.js';
export type { LoadCheck, Placement } from './device-placement.js';
export { describeDevices, probeBackendTable, unavailableReason } from './backend-table.js';
export type { BackendStatus, ProbeRunner } from './backend-table.js';
export { describeMissingLibraries, diagnoseBackend, missingLibrariesFromLdd } from './backend-diagnosis.js';
export type { EngineEventPayload, EngineOptions, HardwareFacts } from './inference-engine.js';
export {
  CaseCancelledError,
  CaseTimeoutError,
  ContextTooSmallError,
  CorruptModelFileError,
  LoadRefusedError,
  ModelFileMissingError,
  NotGgufFileError,
  TruncatedModelFileError,
  WorkerCrashedError,
  WorkerScriptMissingError,
  WorkerTaskError,
} from './engine-errors.js';
export { inspectModelFile, quantizationLabel } from './model-file.js';
export { ModelHashCache, defaultHashCacheFile } from './model-hash.js';
export { parseNvidiaSmiCsv, queryNvidiaSmi } from './nvidia-smi.js';
export { autoThreads, resolveThreads, threadsPhase } from './threads.js';
export type { TunedThreads } from './threads.js';
export { resolveWorkerPath } from './worker-path.js';
export {
  THREAD_POOL_MODES,
  ThreadPoolShimBuildError,
  buildThreadPoolShim,
  chooseThreadPool,
  parseThreadPoolReport,
} from './threadpool-shim.js';
export type { ThreadPoolChoice, ThreadPoolMode, ThreadPoolOptions } from './threadpool-shim.js';
export { nodeLlamaCppVersion } from './versions.js';
