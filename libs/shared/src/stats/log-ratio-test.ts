import { checkConfidence, type Interval } from './confidence-interval.js';
import { StatsDomainError } from './stats-errors.js';
import { tQuantile, tTwoSidedP } from './t-distribution.js';

/** How the noise of the log values is estimated. */
export type LogRatioVariance = 'auto' | 'pooled' | 'welch';

/** Two samples of one stratum (e.g. one prompt): a baseline `x` and a candidate `y`, all values > 0. */
export interface RatioStratum {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
}

/** A ratio of geometric means y / x with its interval and test. */
export interface RatioEstimate {
  /** Geometric mean of y divided by geometric mean of x (for several strata: averaged on the log scale). */
  ratio: number;
  /** Confidence interval of the ratio; null when the test is impossible (no degrees of freedom). */
  ci: Interval | null;
  /** Two-sided p-value of "ratio = 1"; null when the test is impossible. */
  p: number | null;
  t: number | null;
  df: number;
  /** log-scale standard error. */
  standardError: number | null;
}

export interface LogRatioResult {
  method: 'pooled' | 'welch';
  /** All strata together, each weighted equally. */
  overall: RatioEstimate;
  /** One estimate per stratum, in input order. */
  strata: RatioEstimate[];
  confidence: number;
}

interface LogMoments {
  n: number;
  mean: number;
  /** Sum of squared deviations (never below the figures' resolution, see {@link figureResolution}). */
  ss: number;
}

/**
 * The step the figures were recorded in: the largest power of ten (down to 10⁻⁹) that every value is a whole
 * multiple of (0.01 for a table typed with two decimals), or 10⁻⁹ × the largest value for full-precision
 * measurements. A value known to ±step/2 carries a rounding error of sd step/√12 at least, so a group whose
 * figures are all equal still has that much noise: zero spread never proves a difference (p is never 0).
 */
export function figureResolution(xs: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < xs.length; i++) largest = Math.max(largest, Math.abs(xs[i]!));
  for (let k = 0; k <= 9; k++) {
    const scale = 10 ** k;
    let whole = true;
    for (let i = 0; i < xs.length && whole; i++) {
      const v = xs[i]! * scale;
      if (Math.abs(v - Math.round(v)) > 1e-6 * Math.max(1, Math.abs(v))) whole = false;
    }
    if (whole) return 1 / scale;
  }
  return largest * 1e-9;
}

function logMoments(xs: ArrayLike<number>, resolution: number | undefined): LogMoments {
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    if (!(xs[i]! > 0)) throw new StatsDomainError(`ratio tests need values > 0, got ${xs[i]}`);
    sum += Math.log(xs[i]!);
  }
  const mean = sum / xs.length;
  let ss = 0;
  for (let i = 0; i < xs.length; i++) ss += (Math.log(xs[i]!) - mean) ** 2;
  // Rounding noise on the log scale: (step / √12) / value, per value beyond the first.
  const step = resolution ?? figureResolution(xs);
  const floor = ((xs.length - 1) * (step / Math.exp(mean)) ** 2) / 12;
  return { n: xs.length, mean, ss: Math.max(ss, floor) };
}

function estimate(d: number, se: number | null, df: number, confidence: number): RatioEstimate {
  if (se === null || !(df > 0))
    return { ratio: Math.exp(d), ci: null, p: null, t: null, df, standardError: null };
  if (se === 0) {
    // Only reachable with an explicit resolution of 0: equal means are no difference, others untestable.
    return d === 0
      ? { ratio: 1, ci: { lo: 1, hi: 1 }, p: 1, t: 0, df, standardError: 0 }
      : { ratio: Math.exp(d), ci: null, p: null, t: null, df, standardError: 0 };
  }
  const t = d / se;
  const half = tQuantile(1 - (1 - confidence) / 2, df) * se;
  return {
    ratio: Math.exp(d),
    ci: { lo: Math.exp(d - half), hi: Math.exp(d + half) },
    // A p-value is never exactly 0: past double precision it is the smallest positive number.
    p: Math.max(tTwoSidedP(t, df), Number.MIN_VALUE),
    t,
    df,
    standardError: se,
  };
}

/**
 * Ratio of two configurations' geometric means, tested with a t-test on log values, per stratum and over all
 * strata (e.g. the same three prompts on two backends). Benchmarks speak in ratios ("38 % faster") and their
 * noise is multiplicative, so the log scale fits both.
 *
 * - `pooled`: one variance from every group of every stratum (Student's equal-variance t on logs; with one
 *   stratum exactly `scipy.stats.ttest_ind(log x, log y)`). Works when a group has a single value, borrowing
 *   the noise estimate from the others.
 * - `welch`: each group its own variance, Welch–Satterthwaite degrees of freedom (one stratum: exactly
 *   `ttest_ind(log x, log y, equal_var=False)`). Needs n ≥ 2 in every group.
 * - `auto` (default): `welch` when every group has n ≥ 2, `pooled` otherwise.
 * The overall estimate is the mean of the per-stratum log ratios.
 *
 * Each group's spread is at least the rounding noise of its figures (`resolution`, the step values were recorded
 * in; default {@link figureResolution} per group), so constant groups give a finite t and a p-value above 0.
 */
export function logRatioTest(
  strata: readonly RatioStratum[],
  options: { variance?: LogRatioVariance; confidence?: number; resolution?: number } = {},
): LogRatioResult {
  const confidence = options.confidence ?? 0.95;
  checkConfidence(confidence);
  if (strata.length === 0) throw new StatsDomainError('ratio test needs at least one stratum');
  const moments = strata.map((s) => {
    if (s.x.length === 0 || s.y.length === 0)
      throw new StatsDomainError('every stratum needs values on both sides');
    return { x: logMoments(s.x, options.resolution), y: logMoments(s.y, options.resolution) };
  });
  const allPairs = moments.every((m) => m.x.n >= 2 && m.y.n >= 2);
  const requested = options.variance ?? 'auto';
  if (requested === 'welch' && !allPairs)
    throw new StatsDomainError('welch needs at least 2 values in every group; use pooled or auto');
  const method = requested === 'auto' ? (allPairs ? 'welch' : 'pooled') : requested;
  const k = strata.length;
  const diffs = moments.map((m) => m.y.mean - m.x.mean);
  const overallDiff = diffs.reduce((a, b) => a + b, 0) / k;

  if (method === 'pooled') {
    let ss = 0;
    let df = 0;
    for (const m of moments) {
      ss += m.x.ss + m.y.ss;
      df += m.x.n - 1 + m.y.n - 1;
    }
    const sigma = df > 0 ? Math.sqrt(ss / df) : null;
    const perStratum = moments.map((m, i) =>
      estimate(diffs[i]!, sigma === null ? null : sigma * Math.sqrt(1 / m.x.n + 1 / m.y.n), df, confidence),
    );
    const sumInv = moments.reduce((a, m) => a + 1 / m.x.n + 1 / m.y.n, 0);
    const overall = estimate(
      overallDiff,
      sigma === null ? null : (sigma / k) * Math.sqrt(sumInv),
      df,
      confidence,
    );
    return { method, overall, strata: perStratum, confidence };
  }

  // Welch: components v/n per group; Satterthwaite df from all of them.
  const parts = moments.map((m) => {
    const cx = m.x.ss / (m.x.n - 1) / m.x.n;
    const cy = m.y.ss / (m.y.n - 1) / m.y.n;
    return { cx, cy, dfx: m.x.n - 1, dfy: m.y.n - 1 };
  });
  const satterthwaite = (comps: { c: number; df: number }[]): number => {
    const total = comps.reduce((a, c) => a + c.c, 0);
    const denom = comps.reduce((a, c) => a + (c.c * c.c) / c.df, 0);
    return denom > 0 ? (total * total) / denom : Infinity;
  };
  const perStratum = parts.map((p, i) =>
    estimate(
      diffs[i]!,
      Math.sqrt(p.cx + p.cy),
      satterthwaite([
        { c: p.cx, df: p.dfx },
        { c: p.cy, df: p.dfy },
      ]),
      confidence,
    ),
  );
  const all = parts.flatMap((p) => [
    { c: p.cx, df: p.dfx },
    { c: p.cy, df: p.dfy },
  ]);
  const overallSe = Math.sqrt(all.reduce((a, c) => a + c.c, 0)) / k;
  const overall = estimate(overallDiff, overallSe, satterthwaite(all), confidence);
  return { method, overall, strata: perStratum, confidence };
}
