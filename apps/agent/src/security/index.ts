export * from './model-path.js';
export { BearerTokenVerifier } from './token-auth.js';
export type { AuthVerdict } from './token-auth.js';
export { serverCredentials, TlsFileError } from './tls-credentials.js';
export {
  checkDownloadAllowed,
  freeBytes,
  guardedUriResolver,
  hfRepo,
  ModelDownloadRefusedError,
  nodeLlamaCppDownloadPlanner,
} from './model-download.js';
export type { DownloadPlanner, DownloadPolicy, PlannedDownload } from './model-download.js';
