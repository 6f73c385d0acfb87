export * from './model-path.js';
export { BearerTokenVerifier } from './token-auth.js';
export type { AuthVerdict } from './token-auth.js';
export { serverCredentials, TlsFileError } from './tls-credentials.js';
