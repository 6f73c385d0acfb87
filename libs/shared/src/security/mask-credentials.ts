/**
 * Hiding credentials that travel inside URLs (`nats://user:password@host`, `nats://token@host`) wherever a URL is
 * printed or logged: configuration dumps, connection errors, log lines.
 */

/** What a masked credential looks like. */
export const CREDENTIAL_MASK = '********';

// scheme://userinfo@ — greedy: a password holding an unencoded '@' is masked whole (up to the last '@' before a
// '/', whitespace or quote).
const URL_USERINFO = /([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^\s/'"]+)@/g;

/**
 * `text` with the user-info part of every URL in it masked: `user:password@` becomes `user:********@`, a bare
 * `token@` (NATS token auth) becomes `********@`. Text without URLs comes back unchanged.
 */
export function maskUrlCredentials(text: string): string {
  return text.replace(URL_USERINFO, (_match, scheme: string, userinfo: string) => {
    const colon = userinfo.indexOf(':');
    const masked = colon < 0 ? CREDENTIAL_MASK : `${userinfo.slice(0, colon)}:${CREDENTIAL_MASK}`;
    return `${scheme}${masked}@`;
  });
}
