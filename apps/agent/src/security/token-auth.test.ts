import { Metadata, status } from '@grpc/grpc-js';
import { BearerTokenVerifier } from './token-auth.js';

const withAuth = (...values: string[]): Metadata => {
  const metadata = new Metadata();
  for (const value of values) metadata.add('authorization', value);
  return metadata;
};

test('token-auth - right token accepted; case-insensitive scheme', () => {
  const verifier = new BearerTokenVerifier('s3cret');
  expect(verifier.verify(withAuth('Bearer s3cret'))).toEqual({ ok: true });
  expect(verifier.verify(withAuth('bearer s3cret'))).toEqual({ ok: true });
});

test('token-auth - missing, malformed or repeated tokens are UNAUTHENTICATED; wrong ones PERMISSION_DENIED', () => {
  const verifier = new BearerTokenVerifier('s3cret');
  const code = (metadata: Metadata): number | undefined => {
    const verdict = verifier.verify(metadata);
    return verdict.ok ? undefined : verdict.code;
  };
  expect(code(new Metadata())).toBe(status.UNAUTHENTICATED);
  expect(code(withAuth('s3cret'))).toBe(status.UNAUTHENTICATED);
  expect(code(withAuth('Bearer '))).toBe(status.UNAUTHENTICATED);
  expect(code(withAuth('Bearer a b'))).toBe(status.UNAUTHENTICATED);
  expect(code(withAuth('Bearer s3cret', 'Bearer s3cret'))).toBe(status.UNAUTHENTICATED);
  expect(code(withAuth('Bearer s3cre'))).toBe(status.PERMISSION_DENIED);
  expect(code(withAuth('Bearer s3cret-and-more'))).toBe(status.PERMISSION_DENIED);
  expect(() => new BearerTokenVerifier('')).toThrow(TypeError);
});
