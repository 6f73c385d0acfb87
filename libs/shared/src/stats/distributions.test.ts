import { describe, expect, test } from '@jest/globals';
import { normalCdf, normalQuantile, normalSf } from './normal-distribution.js';
import { logGamma, regularizedIncompleteBeta } from './special-functions.js';
import { tCdf, tQuantile, tSf } from './t-distribution.js';

/** Relative closeness, for values spanning many orders of magnitude. */
function expectRelative(actual: number, expected: number, tolerance = 1e-10): void {
  expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThan(tolerance);
}

describe('special functions', () => {
  test('logGamma - scipy.special.gammaln reference values', () => {
    // scipy 1.17.1: gammaln(0.5) = ln √π, gammaln(100.3), gammaln(0.01).
    expectRelative(logGamma(0.5), 0.5723649429247, 1e-13);
    expectRelative(logGamma(100.3), 360.5147057290581, 1e-13);
    expectRelative(logGamma(0.01), 4.599479878042022, 1e-13);
    expect(logGamma(1)).toBeCloseTo(0, 14);
  });

  test('regularized incomplete beta - scipy.special.betainc reference values', () => {
    expectRelative(regularizedIncompleteBeta(0.3, 2.5, 0.5), 0.018927124071945658, 1e-12);
    expectRelative(regularizedIncompleteBeta(0.4, 10, 20), 0.7853183897628262, 1e-12);
  });
});

describe('normal distribution', () => {
  test('cdf, tail and quantile - scipy.stats.norm reference values', () => {
    expectRelative(normalCdf(1.96), 0.9750021048517795, 1e-13);
    expectRelative(normalSf(8), 6.22096057427174e-16, 1e-10);
    expectRelative(normalQuantile(0.975), 1.959963984540054, 1e-13);
    expectRelative(normalQuantile(1e-12), -7.034483825301131, 1e-12);
    expectRelative(normalQuantile(0.3), -0.5244005127080409, 1e-13);
  });
});

describe('Student t distribution', () => {
  test('two-sided 95% critical values - NIST/SEMATECH e-Handbook table 1.3.6.7.2', () => {
    // NIST table (3 decimals): ν=1 12.706, ν=2 4.303, ν=5 2.571, ν=10 2.228, ν=30 2.042.
    // Full precision: scipy 1.17.1 t.ppf(0.975, ν).
    const table: [number, number, number][] = [
      [1, 12.706, 12.706204736174694],
      [2, 4.303, 4.302652729749462],
      [5, 2.571, 2.5705818356363146],
      [10, 2.228, 2.228138851986274],
      [30, 2.042, 2.0422724563012378],
    ];
    for (const [df, nist, scipy] of table) {
      expect(tQuantile(0.975, df)).toBeCloseTo(nist, 3);
      expectRelative(tQuantile(0.975, df), scipy, 1e-12);
    }
  });

  test('quantile - fractional df, lower tail and extreme tail (scipy.stats.t.ppf)', () => {
    expectRelative(tQuantile(0.975, 24.9), 2.0599580324598343, 1e-12);
    expectRelative(tQuantile(0.975, 136.875), 1.977447303404306, 1e-12);
    expectRelative(tQuantile(0.999, 3), 10.214531852407383, 1e-12);
    expectRelative(tQuantile(0.05, 7), -1.8945786050900066, 1e-12);
    expectRelative(tQuantile(1e-10, 4), -416.1751403296041, 1e-9);
    expect(tQuantile(0.5, 3)).toBe(0);
  });

  test('cdf and upper tail - scipy.stats.t reference values', () => {
    expectRelative(tCdf(2.0, 5), 0.9490302605850708, 1e-13);
    expectRelative(tCdf(-3.5, 12.3), 0.002115267617017044, 1e-11);
    expectRelative(tSf(40, 3), 1.7190340394579253e-5, 1e-11);
  });

  test('quantile inverts the cdf across df and p', () => {
    for (const df of [1.5, 2, 3.7, 8, 29, 200]) {
      for (const p of [0.001, 0.05, 0.3, 0.8, 0.975, 0.9999]) {
        expect(tCdf(tQuantile(p, df), df)).toBeCloseTo(p, 12);
      }
    }
  });
});
