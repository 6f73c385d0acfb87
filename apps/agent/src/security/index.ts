export {
  ModelDownloadError,
  ModelNotFoundError,
  ModelOutsideModelsDirError,
  ModelReferenceError,
  ModelReferenceInvalidError,
  type ModelUriResolver,
  resolveModelPath,
  type ResolveModelPathOptions,
} from './model-path.js';
export { BearerTokenVerifier } from './token-auth.js';
export type { AuthVerdict } from './token-auth.js';
export { serverCredentials, TlsFileError } from './tls-credentials.js';
export {
  checkDownloadAllowed,
  createNodeLlamaCppDownloadPlanner,
  freeBytes,
  guardedUriResolver,
  hfRepo,
  ModelDownloadRefusedError,
  nodeLlamaCppDownloadPlanner,
} from './model-download.js';
export type { DownloadPlanner, DownloadPolicy, PlannedDownload } from './model-download.js';
export { throttledProgress } from './download-progress.js';
export type {
  DownloadProgress,
  DownloadProgressListener,
  ProgressThrottleOptions,
} from './download-progress.js';
