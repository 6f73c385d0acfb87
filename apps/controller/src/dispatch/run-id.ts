import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/**
 * A new run id, sortable by start time and unique without coordination: `YYYYMMDD-HHMMSS-xxxxx` (UTC, then
 * 25 random bits in Crockford base32). Only letters, digits and `-`, so it is a valid NATS subject token.
 */
export function newRunId(now: Date = new Date(), random: (n: number) => Buffer = randomBytes): string {
  const iso = now.toISOString(); // 2026-11-25T19:12:26.123Z
  const stamp = `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}-${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}`;
  const bytes = random(5);
  let suffix = '';
  for (let i = 0; i < 5; i += 1) suffix += ALPHABET[(bytes[i] as number) % 32];
  return `${stamp}-${suffix}`;
}
