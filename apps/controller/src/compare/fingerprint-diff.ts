import type { Fingerprint } from '@rigbench/shared';
import { flattenFingerprint } from '../report/fingerprint-summary.js';
import type { FingerprintDifference } from './compare-types.js';

/** Fields whose sets of values differ between two sides (a side may hold several cases). */
export function fingerprintDifferences(
  a: readonly (Fingerprint | null)[],
  b: readonly (Fingerprint | null)[],
): FingerprintDifference[] {
  const collect = (fps: readonly (Fingerprint | null)[]): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    for (const fp of fps) {
      if (!fp) continue;
      for (const [field, value] of flattenFingerprint(fp)) {
        let set = out.get(field);
        if (!set) out.set(field, (set = new Set()));
        set.add(value);
      }
    }
    return out;
  };
  const fa = collect(a);
  const fb = collect(b);
  if (fa.size === 0 || fb.size === 0) return [];
  const fields = [...new Set([...fa.keys(), ...fb.keys()])];
  const diffs: FingerprintDifference[] = [];
  for (const field of fields) {
    const va = [...(fa.get(field) ?? ['(absent)'])].sort();
    const vb = [...(fb.get(field) ?? ['(absent)'])].sort();
    if (va.join('\u0001') !== vb.join('\u0001')) diffs.push({ field, a: va, b: vb });
  }
  return diffs;
}

/** Merges differences from several units: one entry per field with the union of values per side. */
export function mergeDifferences(lists: readonly FingerprintDifference[][]): FingerprintDifference[] {
  const merged = new Map<string, { a: Set<string>; b: Set<string> }>();
  for (const list of lists) {
    for (const d of list) {
      let m = merged.get(d.field);
      if (!m) merged.set(d.field, (m = { a: new Set(), b: new Set() }));
      d.a.forEach((v) => m.a.add(v));
      d.b.forEach((v) => m.b.add(v));
    }
  }
  return [...merged].map(([field, m]) => ({ field, a: [...m.a].sort(), b: [...m.b].sort() }));
}
