import { neumaierSum, quantileSorted, sortedCopy } from './descriptive.js';
import { quantilesInPlace } from './order-statistics.js';
import { meanConfidenceIntervalFromSummary, type Interval } from './confidence-interval.js';

/** The usual description of one set of measurements. Fields that need n ≥ 2 are null below that. */
export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number | null;
  min: number;
  max: number;
  median: number;
  /** Type 7 (linear interpolation) percentiles. */
  p90: number;
  p99: number;
  /** sd / mean, as a fraction. */
  cv: number | null;
  /** Student t confidence interval of the mean at `confidence`. */
  ci: Interval | null;
  confidence: number;
}

/**
 * Summary of values that are already sorted ascending (one pass for the moments, O(1) for the order
 * statistics). Returns null for no values. Callers that own a scratch array sort it in place and call this.
 */
export function summarizeSorted(sorted: ArrayLike<number>, confidence = 0.95): Summary | null {
  const n = sorted.length;
  if (n === 0) return null;
  const m = neumaierSum(sorted) / n;
  let sd: number | null = null;
  if (n >= 2) {
    let ss = 0;
    let comp = 0;
    for (let i = 0; i < n; i++) {
      const d = sorted[i]! - m;
      ss += d * d;
      comp += d;
    }
    sd = Math.sqrt(Math.max(0, (ss - (comp * comp) / n) / (n - 1)));
  }
  return {
    n,
    mean: m,
    sd,
    min: sorted[0]!,
    max: sorted[n - 1]!,
    median: quantileSorted(sorted, 0.5),
    p90: quantileSorted(sorted, 0.9),
    p99: quantileSorted(sorted, 0.99),
    cv: sd === null || m === 0 ? null : sd / m,
    ci: sd === null ? null : meanConfidenceIntervalFromSummary(m, sd, n, confidence),
    confidence,
  };
}

/** Summary of any values (sorted on a copy). Returns null for no values. */
export function summarize(xs: ArrayLike<number>, confidence = 0.95): Summary | null {
  return summarizeSorted(sortedCopy(xs), confidence);
}

/**
 * Summary of `values` in any order, by selection rather than sorting (for large groups: O(n) instead of
 * O(n log n)); gives the same figures as {@link summarize}. Reorders `values`. Returns null for no values.
 */
export function summarizeInPlace(values: Float64Array, confidence = 0.95): Summary | null {
  const n = values.length;
  if (n === 0) return null;
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  const m = neumaierSum(values) / n;
  let sd: number | null = null;
  if (n >= 2) {
    let ss = 0;
    let comp = 0;
    for (let i = 0; i < n; i++) {
      const d = values[i]! - m;
      ss += d * d;
      comp += d;
    }
    sd = Math.sqrt(Math.max(0, (ss - (comp * comp) / n) / (n - 1)));
  }
  const [median, p90, p99] = quantilesInPlace(values, [0.5, 0.9, 0.99]) as [number, number, number];
  return {
    n,
    mean: m,
    sd,
    min: lo,
    max: hi,
    median,
    p90,
    p99,
    cv: sd === null || m === 0 ? null : sd / m,
    ci: sd === null ? null : meanConfidenceIntervalFromSummary(m, sd, n, confidence),
    confidence,
  };
}
