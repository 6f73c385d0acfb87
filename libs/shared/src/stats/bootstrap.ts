import { checkConfidence, type Interval } from './confidence-interval.js';
import { quantileSorted } from './descriptive.js';
import { selectInPlace } from './order-statistics.js';
import { SeededRandom } from '../random/seeded-random.js';
import { InsufficientDataError, StatsDomainError } from './stats-errors.js';

/** What the bootstrap estimates from a resample of each group. */
export type BootstrapStatistic = 'median-difference' | 'median-ratio';

export interface BootstrapOptions {
  statistic: BootstrapStatistic;
  /** Number of resamples (default 4000). */
  resamples?: number;
  /** Default 0.95. */
  confidence?: number;
  /** PRNG seed; the same seed and data give the same interval (default 1). */
  seed?: number;
}

export interface BootstrapResult {
  /** The statistic on the original data: median(y) − median(x), or median(y) / median(x). */
  estimate: number;
  /** Percentile bootstrap interval (type 7 quantiles of the resampled statistics). */
  ci: Interval;
  resamples: number;
  confidence: number;
  seed: number;
}

/** Median of `buf[0..n)` (reorders `buf`); quickselect keeps each resample O(n). */
function medianInPlace(buf: Float64Array, n: number): number {
  const h = (n - 1) / 2;
  const lo = Math.floor(h);
  const a = selectInPlace(buf, lo, 0, n - 1);
  if (lo === h) return a;
  // The upper middle is the smallest value right of the lower middle once selected.
  let b = Infinity;
  for (let i = lo + 1; i < n; i++) if (buf[i]! < b) b = buf[i]!;
  return (a + b) / 2;
}

function combine(statistic: BootstrapStatistic, mx: number, my: number): number {
  return statistic === 'median-difference' ? my - mx : my / mx;
}

/**
 * Percentile bootstrap interval for the difference or the ratio of two medians (independent resampling of
 * each group with replacement). Deterministic for a given seed.
 */
export function bootstrapMedianInterval(
  x: ArrayLike<number>,
  y: ArrayLike<number>,
  options: BootstrapOptions,
): BootstrapResult {
  const resamples = options.resamples ?? 4000;
  const confidence = options.confidence ?? 0.95;
  const seed = options.seed ?? 1;
  checkConfidence(confidence);
  if (!(Number.isInteger(resamples) && resamples >= 100))
    throw new StatsDomainError(`bootstrap resamples must be an integer ≥ 100, got ${resamples}`);
  if (x.length < 1) throw new InsufficientDataError('bootstrap (first sample)', 1, x.length);
  if (y.length < 1) throw new InsufficientDataError('bootstrap (second sample)', 1, y.length);
  const rng = new SeededRandom(seed);
  const bx = new Float64Array(x.length);
  const by = new Float64Array(y.length);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < x.length; i++) bx[i] = x[rng.nextInt(x.length)]!;
    for (let i = 0; i < y.length; i++) by[i] = y[rng.nextInt(y.length)]!;
    stats[r] = combine(options.statistic, medianInPlace(bx, x.length), medianInPlace(by, y.length));
  }
  stats.sort();
  const alpha = 1 - confidence;
  const cx = Float64Array.from(x);
  const cy = Float64Array.from(y);
  return {
    estimate: combine(options.statistic, medianInPlace(cx, cx.length), medianInPlace(cy, cy.length)),
    ci: { lo: quantileSorted(stats, alpha / 2), hi: quantileSorted(stats, 1 - alpha / 2) },
    resamples,
    confidence,
    seed,
  };
}
