import { mean, variance } from './descriptive.js';
import { checkConfidence, type Interval } from './confidence-interval.js';
import { InsufficientDataError, StatsDomainError } from './stats-errors.js';
import { tQuantile, tTwoSidedP } from './t-distribution.js';

/** Mean, sample variance and size of one sample. */
export interface MomentSummary {
  mean: number;
  /** Sample variance (n − 1). */
  variance: number;
  n: number;
}

/** Result of a two-sided Welch t-test of mean(y) − mean(x). */
export interface WelchResult {
  /** t statistic of mean(x) − mean(y) (scipy's `ttest_ind(x, y, equal_var=False)` sign convention). */
  t: number;
  /** Welch–Satterthwaite degrees of freedom (not an integer in general). */
  df: number;
  /** Two-sided p-value. */
  p: number;
  /** mean(y) − mean(x). */
  difference: number;
  /** Confidence interval of mean(y) − mean(x). */
  ci: Interval;
  standardError: number;
}

/**
 * Both samples are constant and their means differ: there is no spread to judge the difference by, so no
 * p-value would be honest (0 would claim certainty the data cannot give).
 */
export class NoVarianceError extends StatsDomainError {
  override name = 'NoVarianceError';
  constructor(xMean: number, yMean: number, options?: ErrorOptions) {
    super(
      `Welch's t-test: both samples are constant (${xMean} and ${yMean}), so their difference has no ` +
        "spread to be judged by; measure more, or test at the figures' resolution with logRatioTest",
      options,
    );
  }
}

/**
 * Welch's unequal-variance t-test from summaries (as NIST's handbook example gives them). Two constant samples
 * with equal means give t 0, p 1 and a zero-width interval; with different means, {@link NoVarianceError}.
 */
export function welchTTestFromSummary(x: MomentSummary, y: MomentSummary, confidence = 0.95): WelchResult {
  checkConfidence(confidence);
  if (x.n < 2) throw new InsufficientDataError("Welch's t-test (first sample)", 2, x.n);
  if (y.n < 2) throw new InsufficientDataError("Welch's t-test (second sample)", 2, y.n);
  const vx = x.variance / x.n;
  const vy = y.variance / y.n;
  const se2 = vx + vy;
  const se = Math.sqrt(se2);
  const difference = y.mean - x.mean;
  if (se === 0) {
    if (difference !== 0) throw new NoVarianceError(x.mean, y.mean);
    return { t: 0, df: x.n + y.n - 2, p: 1, difference: 0, ci: { lo: 0, hi: 0 }, standardError: 0 };
  }
  const df = (se2 * se2) / ((vx * vx) / (x.n - 1) + (vy * vy) / (y.n - 1));
  const t = (x.mean - y.mean) / se;
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return {
    t,
    df,
    p: tTwoSidedP(t, df),
    difference,
    ci: { lo: difference - half, hi: difference + half },
    standardError: se,
  };
}

/** Welch's unequal-variance two-sample t-test, two-sided. Each sample needs n ≥ 2. */
export function welchTTest(x: ArrayLike<number>, y: ArrayLike<number>, confidence = 0.95): WelchResult {
  if (x.length < 2) throw new InsufficientDataError("Welch's t-test (first sample)", 2, x.length);
  if (y.length < 2) throw new InsufficientDataError("Welch's t-test (second sample)", 2, y.length);
  return welchTTestFromSummary(
    { mean: mean(x), variance: variance(x), n: x.length },
    { mean: mean(y), variance: variance(y), n: y.length },
    confidence,
  );
}
