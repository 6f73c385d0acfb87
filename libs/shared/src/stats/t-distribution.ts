import { logGamma, regularizedIncompleteBeta } from './special-functions.js';
import { normalQuantile, normalSf } from './normal-distribution.js';
import { StatsDomainError } from './stats-errors.js';

/**
 * Student's t distribution with `df` degrees of freedom (any real df > 0, as Welch's test needs), through the
 * regularized incomplete beta function: P(|T| > t) = I_{df/(df+t²)}(df/2, 1/2).
 */

function checkDf(df: number): void {
  if (!(df > 0)) throw new StatsDomainError(`t distribution needs df > 0, got ${df}`);
}

/** Two-sided tail probability P(|T| ≥ |t|). */
export function tTwoSidedP(t: number, df: number): number {
  checkDf(df);
  if (Number.isNaN(t)) return NaN;
  if (!Number.isFinite(t)) return 0;
  if (df === Infinity) return 2 * normalSf(Math.abs(t));
  return regularizedIncompleteBeta(df / (df + t * t), df / 2, 0.5);
}

/** Upper tail P(T > t). */
export function tSf(t: number, df: number): number {
  const half = tTwoSidedP(t, df) / 2;
  return t >= 0 ? half : 1 - half;
}

/** CDF P(T ≤ t). */
export function tCdf(t: number, df: number): number {
  return tSf(-t, df);
}

/** Density of T at t. */
export function tPdf(t: number, df: number): number {
  checkDf(df);
  if (df === Infinity) return Math.exp(-(t * t) / 2) / Math.sqrt(2 * Math.PI);
  return Math.exp(
    logGamma((df + 1) / 2) -
      logGamma(df / 2) -
      0.5 * Math.log(df * Math.PI) -
      ((df + 1) / 2) * Math.log1p((t * t) / df),
  );
}

/**
 * Quantile of T: t with P(T ≤ t) = p. Solved numerically (safeguarded Newton inside a bisection bracket)
 * on the upper tail, so small tail probabilities keep full precision; no table lookup.
 */
export function tQuantile(p: number, df: number): number {
  checkDf(df);
  if (!(p >= 0 && p <= 1)) throw new StatsDomainError(`t quantile probability must be in [0, 1], got ${p}`);
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  if (df === Infinity) return normalQuantile(p);
  const q = p < 0.5 ? p : 1 - p; // upper tail probability of |answer|
  const sign = p < 0.5 ? -1 : 1;
  if (df === 1) return sign * Math.tan(Math.PI * (0.5 - q)); // Cauchy: closed form
  // Bracket [lo, hi] with tSf(lo) > q > tSf(hi).
  let lo = 0;
  let hi = Math.max(1, -normalQuantile(q));
  while (tSf(hi, df) > q) {
    lo = hi;
    hi *= 2;
  }
  let x = Math.min(Math.max(-normalQuantile(q), lo), hi);
  for (let i = 0; i < 200; i++) {
    const f = tSf(x, df) - q; // decreasing in x
    if (f > 0) lo = x;
    else hi = x;
    let next = x + f / tPdf(x, df);
    if (!(next > lo && next < hi)) next = (lo + hi) / 2;
    if (Math.abs(next - x) <= 1e-14 * Math.max(1, Math.abs(x))) return sign * next;
    x = next;
  }
  return sign * x;
}
