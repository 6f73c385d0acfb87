import { readFileSync } from 'node:fs';
import { ServerCredentials } from '@grpc/grpc-js';
import type { AgentTlsConfig } from '../config/index.js';

/** A TLS file named in the configuration cannot be read. */
export class TlsFileError extends Error {
  override name = 'TlsFileError';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }
}

function readPem(key: string, path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new TlsFileError(`cannot read ${key} file ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * gRPC server credentials: insecure without TLS config; TLS with cert and key; mTLS (client certificates checked
 * against `caFile`) when `requireClientCert` is set.
 */
export function serverCredentials(tls: AgentTlsConfig | null): ServerCredentials {
  if (tls === null) return ServerCredentials.createInsecure();
  const ca = tls.caFile === null ? null : readPem('tls.ca', tls.caFile);
  return ServerCredentials.createSsl(
    ca,
    [{ cert_chain: readPem('tls.cert', tls.certFile), private_key: readPem('tls.key', tls.keyFile) }],
    tls.requireClientCert,
  );
}
