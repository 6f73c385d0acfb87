import { mean, standardDeviation } from './descriptive.js';
import { InsufficientDataError, StatsDomainError } from './stats-errors.js';
import { tQuantile } from './t-distribution.js';

/** A two-sided interval. */
export interface Interval {
  lo: number;
  hi: number;
}

/** Checks a confidence level such as 0.95. */
export function checkConfidence(confidence: number): void {
  if (!(confidence > 0 && confidence < 1))
    throw new StatsDomainError(`confidence must be in (0, 1), e.g. 0.95, got ${confidence}`);
}

/** Student t confidence interval for a mean from its summary: mean ± t(1−α/2, n−1)·sd/√n. */
export function meanConfidenceIntervalFromSummary(
  m: number,
  sd: number,
  n: number,
  confidence = 0.95,
): Interval {
  checkConfidence(confidence);
  if (n < 2) throw new InsufficientDataError('confidence interval of the mean', 2, n);
  const half = (tQuantile(1 - (1 - confidence) / 2, n - 1) * sd) / Math.sqrt(n);
  return { lo: m - half, hi: m + half };
}

/** Student t confidence interval for the mean of `xs` (default 95 %). Needs n ≥ 2. */
export function meanConfidenceInterval(xs: ArrayLike<number>, confidence = 0.95): Interval {
  if (xs.length < 2) throw new InsufficientDataError('confidence interval of the mean', 2, xs.length);
  return meanConfidenceIntervalFromSummary(mean(xs), standardDeviation(xs), xs.length, confidence);
}

/**
 * Confidence interval of the geometric mean of positive values (rates): Student t on the logs, back-transformed,
 * so it is never negative and is asymmetric like the noise of a rate. Needs n ≥ 2 and values > 0.
 */
export function geometricMeanInterval(xs: ArrayLike<number>, confidence = 0.95): Interval & { mean: number } {
  checkConfidence(confidence);
  if (xs.length < 2)
    throw new InsufficientDataError('confidence interval of the geometric mean', 2, xs.length);
  const logs = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i]! > 0)) throw new StatsDomainError(`a geometric mean needs values > 0, got ${xs[i]}`);
    logs[i] = Math.log(xs[i]!);
  }
  const ci = meanConfidenceInterval(logs, confidence);
  return { mean: Math.exp(mean(logs)), lo: Math.exp(ci.lo), hi: Math.exp(ci.hi) };
}
