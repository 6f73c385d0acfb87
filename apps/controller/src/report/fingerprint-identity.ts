import type { Fingerprint } from '@rigbench/shared';

/**
 * The fingerprint fields that make two samples of the same configuration different things: samples that differ
 * in any of them are never pooled into one group (the report splits the group and names what changed).
 */
export const IDENTITY_FIELDS = [
  { field: 'model sha256', short: 'model', of: (fp: Fingerprint) => fp.model.sha256.slice(0, 12) },
  { field: 'quantization', short: 'quant', of: (fp: Fingerprint) => fp.model.quantization ?? '?' },
  { field: 'llama.cpp release', short: 'llama.cpp', of: (fp: Fingerprint) => fp.llamaCppRelease },
  { field: 'driver', short: 'driver', of: (fp: Fingerprint) => fp.driverVersion ?? 'none' },
  { field: 'threads used', short: 'threads', of: (fp: Fingerprint) => String(fp.threads) },
  // Fingerprints from before it was recorded ran on ggml's per-graph threads.
  { field: 'thread pool', short: 'pool', of: (fp: Fingerprint) => fp.threadPool?.mode ?? 'per-graph' },
] as const;

/** The identity values of a case's fingerprint (`?` for every field when the case recorded none). */
export function identityOf(fp: Fingerprint | null): string[] {
  return IDENTITY_FIELDS.map((f) => (fp ? f.of(fp) : '?'));
}

/**
 * Human names for the identities of one configuration: '' when there is only one; otherwise each names only the
 * fields whose values differ between them, e.g. `llama.cpp b4589` against `llama.cpp b4546`. Cases without a
 * fingerprint (`?`) never split a group: they take the label '' and share it with the rest.
 */
export function variantLabels(identities: readonly string[][]): string[] {
  const known = identities.filter((id) => id.some((v) => v !== '?'));
  const distinct = new Set(known.map((id) => id.join('\u0001')));
  if (distinct.size <= 1) return identities.map(() => '');
  const differing = IDENTITY_FIELDS.map((_, i) => new Set(known.map((id) => id[i])).size > 1);
  return identities.map((id) =>
    id.every((v) => v === '?')
      ? ''
      : IDENTITY_FIELDS.filter((_, i) => differing[i])
          .map((f) => `${f.short} ${id[IDENTITY_FIELDS.indexOf(f)]}`)
          .join(', '),
  );
}
