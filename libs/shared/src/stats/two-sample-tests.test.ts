import { describe, expect, test } from '@jest/globals';
import { mannWhitneyU } from './mann-whitney.js';
import { InsufficientDataError } from './stats-errors.js';
import { welchTTest, welchTTestFromSummary } from './welch-t-test.js';

describe("Welch's t-test", () => {
  // Samples: Wikipedia, "Welch's t-test", section Examples (three pairs). Reference values at full precision:
  // scipy 1.17.1 `ttest_ind(a, b, equal_var=False)` (statistic, pvalue, df).
  const examples = [
    {
      a: [27.5, 21.0, 19.0, 23.6, 17.0, 17.9, 16.9, 20.1, 21.9, 22.6, 23.1, 19.6, 19.0, 21.7, 21.4],
      b: [27.1, 22.0, 20.8, 23.4, 23.4, 23.5, 25.8, 22.0, 24.8, 20.2, 21.9, 22.1, 22.9, 20.5, 24.4],
      scipy: { t: -2.455356398286006, df: 24.988529290231416, p: 0.021378001462866992 },
    },
    {
      a: [17.2, 20.9, 22.6, 18.1, 21.7, 21.4, 23.5, 24.2, 14.7, 21.8],
      b: [
        21.5, 22.8, 21.0, 23.0, 21.6, 23.6, 22.5, 20.7, 23.4, 21.8, 20.7, 21.7, 21.5, 22.5, 23.6, 21.5, 22.5,
        23.5, 21.5, 21.8,
      ],
      scipy: { t: -1.5654335235985037, df: 9.904741248650831, p: 0.14884169660532817 },
    },
    {
      a: [19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0],
      b: [
        28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7, 23.2, 17.5, 20.6, 18.0, 23.9, 21.6, 24.3,
        20.4, 23.9, 13.3,
      ],
      scipy: { t: -2.225512039969852, df: 24.524634944257343, p: 0.035484530830010394 },
    },
  ];
  test.each(examples.map((e, i) => [i + 1, e] as const))('Wikipedia example %i', (_i, e) => {
    const r = welchTTest(e.a, e.b);
    expect(r.t).toBeCloseTo(e.scipy.t, 12);
    expect(r.df).toBeCloseTo(e.scipy.df, 10);
    expect(r.p).toBeCloseTo(e.scipy.p, 12);
    expect(r.ci.lo).toBeLessThan(r.difference);
    expect(r.ci.hi).toBeGreaterThan(r.difference);
  });

  test('NIST e-Handbook 1.3.5.3 example (AUTO83B: US vs Japanese cars, mpg) from summaries', () => {
    // NIST: N1=249, mean 20.14458, sd 6.41470; N2=79, mean 30.48101, sd 6.10771;
    // "unequal variances" T = −12.94627, ν = 136.8750.
    const r = welchTTestFromSummary(
      { n: 249, mean: 20.14458, variance: 6.4147 ** 2 },
      { n: 79, mean: 30.48101, variance: 6.10771 ** 2 },
    );
    expect(r.t).toBeCloseTo(-12.94627, 4);
    expect(r.df).toBeCloseTo(136.875, 2);
    // scipy 1.17.1 ttest_ind_from_stats(..., equal_var=False).pvalue
    expect(Math.abs(r.p - 1.5709046154648375e-25) / 1.5709046154648375e-25).toBeLessThan(1e-6);
  });

  test('one value on a side - named error', () => {
    expect(() => welchTTest([1], [2, 3])).toThrow(InsufficientDataError);
  });
});

describe('Mann–Whitney U', () => {
  // References: scipy 1.17.1 `mannwhitneyu(x, y)` (two-sided, method='auto', use_continuity=True).
  test('exact distribution for small samples without ties', () => {
    const r = mannWhitneyU([19, 22, 16, 29, 24], [20, 11, 17, 12]);
    expect(r.method).toBe('exact');
    expect(r.u).toBe(17);
    expect(r.p).toBeCloseTo(0.1111111111111111, 14);
    const sep = mannWhitneyU([3.1, 2.2, 5.6], [7.7, 8.1, 9.2, 6.5, 10.0, 11.1, 12.3, 9.9, 13.5, 14.2]);
    expect(sep.u).toBe(0);
    expect(sep.p).toBeCloseTo(0.006993006993006993, 14); // = 2 / C(13, 3)
  });

  test('normal approximation when both samples are larger than 8', () => {
    const x = [1.83, 0.5, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.3];
    const y = [0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29];
    const r = mannWhitneyU(x, y);
    expect(r.method).toBe('asymptotic');
    expect(r.u).toBe(58);
    expect(r.p).toBeCloseTo(0.13291945818531892, 12);
  });

  test('tie correction in the normal approximation', () => {
    const r = mannWhitneyU([1, 2, 2, 3, 3, 3, 4, 5, 6, 7], [3, 4, 4, 5, 5, 6, 8, 9, 9, 10, 11]);
    expect(r.ties).toBe(true);
    expect(r.u).toBe(19);
    expect(r.p).toBeCloseTo(0.011834023516337876, 12);
  });

  test('exact is symmetric in its arguments', () => {
    const a = mannWhitneyU([1.1, 2.4, 3.9], [2.0, 5.5, 6.1, 7.3]);
    const b = mannWhitneyU([2.0, 5.5, 6.1, 7.3], [1.1, 2.4, 3.9]);
    expect(a.p).toBeCloseTo(b.p, 15);
    expect(a.u + b.u).toBe(12);
  });
});
