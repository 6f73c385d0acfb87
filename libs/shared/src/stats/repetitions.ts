import { checkConfidence } from './confidence-interval.js';
import { StatsDomainError } from './stats-errors.js';
import { tQuantile } from './t-distribution.js';

/** Upper bound returned when the target cannot be met in a sensible number of runs. */
export const MAX_REPETITIONS = 1_000_000;

/**
 * Repetitions needed so that the confidence interval of the mean is within ±`margin` of the mean (both as
 * fractions: cv 0.2 = 20 %, margin 0.05 = ±5 %), assuming the coefficient of variation stays as observed:
 * the smallest n ≥ 2 with t(1−α/2, n−1) · cv / √n ≤ margin.
 */
export function repetitionsNeeded(cv: number, margin = 0.05, confidence = 0.95): number {
  checkConfidence(confidence);
  if (!(cv >= 0)) throw new StatsDomainError(`coefficient of variation must be ≥ 0, got ${cv}`);
  if (!(margin > 0)) throw new StatsDomainError(`relative margin must be > 0, got ${margin}`);
  const tail = 1 - (1 - confidence) / 2;
  const fits = (n: number): boolean => (tQuantile(tail, n - 1) * cv) / Math.sqrt(n) <= margin;
  if (fits(2)) return 2;
  // The half-width shrinks monotonically with n: double to bracket, then bisect.
  let lo = 2;
  let hi = 4;
  // Doubling from 2 passes 524,288 and then the cap: bracket with the cap itself, so answers between the two
  // powers are found by the bisection instead of being reported as the cap.
  while (!fits(hi)) {
    if (hi === MAX_REPETITIONS) return MAX_REPETITIONS;
    lo = hi;
    hi = Math.min(hi * 2, MAX_REPETITIONS);
  }
  while (hi - lo > 1) {
    const mid = (lo + hi) >>> 1;
    if (fits(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}
