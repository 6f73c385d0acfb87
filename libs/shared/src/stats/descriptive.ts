import { InsufficientDataError, StatsDomainError } from './stats-errors.js';

/**
 * Descriptive statistics over plain arrays or typed arrays. Functions taking `sorted` trust the caller:
 * reports sort each group's values once (`Float64Array.prototype.sort` is numeric) and read every quantile
 * from that one sorted copy.
 */

function requireLength(statistic: string, xs: ArrayLike<number>, needed: number): void {
  if (xs.length < needed) throw new InsufficientDataError(statistic, needed, xs.length);
}

/**
 * Compensated (Neumaier) sum: nearly independent of the order of the values, so a mean printed to a few
 * decimals does not flip at a rounding tie depending on whether the values were sorted first.
 */
export function neumaierSum(xs: ArrayLike<number>): number {
  let sum = 0;
  let c = 0;
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i]!;
    const t = sum + x;
    c += Math.abs(sum) >= Math.abs(x) ? sum - t + x : x - t + sum;
    sum = t;
  }
  return sum + c;
}

/** Arithmetic mean (compensated sum). */
export function mean(xs: ArrayLike<number>): number {
  requireLength('mean', xs, 1);
  return neumaierSum(xs) / xs.length;
}

/** Sample variance (denominator n − 1), two-pass for accuracy when values are large and close together. */
export function variance(xs: ArrayLike<number>): number {
  requireLength('variance', xs, 2);
  const m = mean(xs);
  let ss = 0;
  let comp = 0;
  for (let i = 0; i < xs.length; i++) {
    const d = xs[i]! - m;
    ss += d * d;
    comp += d;
  }
  // Corrected two-pass formula (Chan, Golub & LeVeque 1983): `comp` is ~0 but absorbs rounding in `m`.
  return (ss - (comp * comp) / xs.length) / (xs.length - 1);
}

/** Sample standard deviation (denominator n − 1). */
export function standardDeviation(xs: ArrayLike<number>): number {
  return Math.sqrt(variance(xs));
}

/** Smallest value. */
export function min(xs: ArrayLike<number>): number {
  requireLength('min', xs, 1);
  let m = Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! < m) m = xs[i]!;
  return m;
}

/** Largest value. */
export function max(xs: ArrayLike<number>): number {
  requireLength('max', xs, 1);
  let m = -Infinity;
  for (let i = 0; i < xs.length; i++) if (xs[i]! > m) m = xs[i]!;
  return m;
}

/** A sorted copy as a Float64Array. */
export function sortedCopy(xs: ArrayLike<number>): Float64Array {
  return Float64Array.from(xs).sort();
}

/**
 * Quantile `p` (0..1) of already ascending-sorted values by linear interpolation between order statistics:
 * Hyndman & Fan (1996) definition 7, the default of R's `quantile()`, NumPy's `percentile(method='linear')`
 * and Excel's `PERCENTILE.INC`. With h = (n − 1)·p, the result is x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
 */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  requireLength('quantile', sorted, 1);
  if (!(p >= 0 && p <= 1)) throw new StatsDomainError(`quantile probability must be in [0, 1], got ${p}`);
  const h = (sorted.length - 1) * p;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  const a = sorted[lo]!;
  return a + (h - lo) * (sorted[hi]! - a);
}

/** Quantile `p` (0..1), Hyndman & Fan type 7 (see {@link quantileSorted}); sorts a copy. */
export function quantile(xs: ArrayLike<number>, p: number): number {
  return quantileSorted(sortedCopy(xs), p);
}

/** Percentile `q` (0..100), Hyndman & Fan type 7. */
export function percentile(xs: ArrayLike<number>, q: number): number {
  return quantile(xs, q / 100);
}

/** Median (type 7 quantile 0.5, i.e. the mean of the two middle values for even n). */
export function median(xs: ArrayLike<number>): number {
  return quantile(xs, 0.5);
}

/** Coefficient of variation: sample standard deviation divided by the mean (a fraction, 0.1 = 10 %). */
export function coefficientOfVariation(xs: ArrayLike<number>): number {
  return standardDeviation(xs) / mean(xs);
}
