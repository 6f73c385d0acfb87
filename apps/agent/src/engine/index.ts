/** The agent's inference engine: worker-process supervision, raw and chat measurements, fingerprints. */
export { InferenceEngine, deviceEnvironment } from './inference-engine.js';
export type { EngineEventPayload, EngineLogger, EngineOptions, HardwareFacts } from './inference-engine.js';
export {
  CaseCancelledError,
  CaseTimeoutError,
  ContextTooSmallError,
  CorruptModelFileError,
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
export { nodeLlamaCppVersion } from './versions.js';
