import { normalSf } from './normal-distribution.js';
import { InsufficientDataError, StatsDomainError } from './stats-errors.js';

/** How the p-value is found: the exact null distribution of U, or the normal approximation. */
export type MannWhitneyMethod = 'auto' | 'exact' | 'asymptotic';

/** Result of a two-sided Mann–Whitney U test. */
export interface MannWhitneyResult {
  /** U of the first sample: R₁ − n₁(n₁+1)/2, with average ranks for ties (scipy's `statistic`). */
  u: number;
  /** Two-sided p-value. */
  p: number;
  method: 'exact' | 'asymptotic';
  /** Standardized statistic (continuity-corrected, tie-corrected); null for the exact method. */
  z: number | null;
  /** True when any value appears more than once across both samples. */
  ties: boolean;
}

// Beyond this C(n₁+n₂, n₁) the exact counts stop being exact integers in a double.
const MAX_EXACT_ARRANGEMENTS = 2 ** 53;

function logChoose(n: number, k: number): number {
  let s = 0;
  for (let i = 1; i <= k; i++) s += Math.log((n - k + i) / i);
  return s;
}

/**
 * Number of arrangements giving each U = 0..m·n: the coefficients of the Gaussian binomial [m+n choose m]_q,
 * built as Π_{i=1..m} (1 − q^{n+i}) / (1 − q^i).
 */
function exactUCounts(m: number, n: number): Float64Array {
  const size = m * n + 1;
  const c = new Float64Array(size);
  c[0] = 1;
  for (let i = 1; i <= m; i++) {
    const mulStride = n + i;
    for (let k = size - 1; k >= mulStride; k--) c[k]! -= c[k - mulStride]!;
    for (let k = i; k < size; k++) c[k]! += c[k - i]!;
  }
  return c;
}

/**
 * Mann–Whitney U test (Wilcoxon rank-sum), two-sided, matching `scipy.stats.mannwhitneyu(x, y)` (1.17):
 * `auto` uses the exact distribution when either sample has at most 8 values and there are no ties, the
 * normal approximation with tie correction and continuity correction otherwise. `exact` with ties falls back
 * to the approximation (the exact null distribution assumes no ties). A NaN anywhere is a StatsDomainError
 * (it has no rank; sorting it silently would give a meaningless p-value).
 */
export function mannWhitneyU(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  method: MannWhitneyMethod = 'auto',
): MannWhitneyResult {
  const n1 = x.length;
  const n2 = y.length;
  if (n1 < 1) throw new InsufficientDataError('Mann–Whitney U (first sample)', 1, n1);
  if (n2 < 1) throw new InsufficientDataError('Mann–Whitney U (second sample)', 1, n2);
  for (const [name, sample] of [
    ['first', x],
    ['second', y],
  ] as const) {
    for (let i = 0; i < sample.length; i++)
      if (Number.isNaN(sample[i]))
        throw new StatsDomainError(
          `Mann–Whitney U: value ${i} of the ${name} sample is NaN; ranks need numbers (leave missing values out)`,
        );
  }
  const n = n1 + n2;
  const values = new Float64Array(n);
  for (let i = 0; i < n1; i++) values[i] = x[i]!;
  for (let i = 0; i < n2; i++) values[n1 + i] = y[i]!;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);

  // Average ranks over runs of ties; accumulate Σ(t³ − t) for the variance correction.
  let rankSumX = 0;
  let tieTerm = 0;
  for (let i = 0; i < n;) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    if (t > 1) tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (order[k]! < n1) rankSumX += rank;
    i = j + 1;
  }
  const u1 = rankSumX - (n1 * (n1 + 1)) / 2;
  const u2 = n1 * n2 - u1;
  const uMax = Math.max(u1, u2);
  const ties = tieTerm > 0;

  const useExact =
    !ties &&
    (method === 'exact' || (method === 'auto' && (n1 <= 8 || n2 <= 8))) &&
    logChoose(n, Math.min(n1, n2)) < Math.log(MAX_EXACT_ARRANGEMENTS);
  if (useExact) {
    const counts = exactUCounts(Math.min(n1, n2), Math.max(n1, n2));
    let total = 0;
    let upper = 0;
    for (let u = 0; u < counts.length; u++) {
      total += counts[u]!;
      if (u >= uMax) upper += counts[u]!;
    }
    return { u: u1, p: Math.min(1, (2 * upper) / total), method: 'exact', z: null, ties };
  }

  const mu = (n1 * n2) / 2;
  const s = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1))));
  if (s === 0) return { u: u1, p: 1, method: 'asymptotic', z: 0, ties };
  const z = (uMax - mu - 0.5) / s;
  return { u: u1, p: Math.min(1, 2 * normalSf(z)), method: 'asymptotic', z, ties };
}
