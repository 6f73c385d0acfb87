import { createHash, timingSafeEqual } from 'node:crypto';
import { status, type Metadata } from '@grpc/grpc-js';

/** Why a call was refused: no usable token (UNAUTHENTICATED) or a wrong one (PERMISSION_DENIED). */
export type AuthVerdict =
  | { ok: true }
  | { ok: false; code: typeof status.UNAUTHENTICATED | typeof status.PERMISSION_DENIED; details: string };

const sha256 = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/**
 * Checks `authorization: Bearer <token>` metadata. Compares sha256 digests with `timingSafeEqual`, so neither
 * the token's content nor its length leaks through timing. The token itself is never logged or echoed.
 */
export class BearerTokenVerifier {
  readonly #expected: Buffer;

  constructor(token: string) {
    if (token === '') throw new TypeError('BearerTokenVerifier: token must not be empty');
    this.#expected = sha256(token);
  }

  verify(metadata: Metadata): AuthVerdict {
    const values = metadata.get('authorization');
    if (values.length === 0) {
      return {
        ok: false,
        code: status.UNAUTHENTICATED,
        details: 'missing authorization metadata (Bearer token)',
      };
    }
    if (values.length > 1) {
      return {
        ok: false,
        code: status.UNAUTHENTICATED,
        details: 'more than one authorization metadata value',
      };
    }
    const value = values[0];
    const match = typeof value === 'string' ? /^Bearer ([\x21-\x7e]+)$/i.exec(value.trim()) : null;
    if (!match?.[1]) {
      return {
        ok: false,
        code: status.UNAUTHENTICATED,
        details: "malformed authorization metadata: expected 'Bearer <token>'",
      };
    }
    if (!timingSafeEqual(sha256(match[1]), this.#expected)) {
      return { ok: false, code: status.PERMISSION_DENIED, details: 'invalid bearer token' };
    }
    return { ok: true };
  }
}
