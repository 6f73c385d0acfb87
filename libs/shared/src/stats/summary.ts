import { quantileSorted, sortedCopy } from './descriptive.js';
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
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const m = sum / n;
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
