import { describe, expect, test } from '@jest/globals';
import {
  coefficientOfVariation,
  max,
  mean,
  median,
  min,
  percentile,
  quantile,
  standardDeviation,
  variance,
} from './descriptive.js';
import { InsufficientDataError, StatsDomainError } from './stats-errors.js';
import { summarize } from './summary.js';

describe('descriptive statistics', () => {
  test('percentile - type 7 matches numpy.percentile (linear) on [3,1,4,1,5,9,2,6]', () => {
    // Reference: numpy 2.4.6 `np.percentile([3,1,4,1,5,9,2,6], q)` for q = 0, 10, 25, 50, 90, 99, 100.
    const xs = [3, 1, 4, 1, 5, 9, 2, 6];
    const expected: [number, number][] = [
      [0, 1],
      [10, 1],
      [25, 1.75],
      [50, 3.5],
      [90, 6.9],
      [99, 8.79],
      [100, 9],
    ];
    for (const [q, v] of expected) expect(percentile(xs, q)).toBeCloseTo(v, 12);
    expect(median(xs)).toBe(3.5);
  });

  test('quantile - a single value is every quantile; out-of-range p is a domain error', () => {
    expect(quantile([7], 0.99)).toBe(7);
    expect(() => quantile([1, 2], 1.5)).toThrow(StatsDomainError);
  });

  test("mean, sample sd, min, max, cv - on the seed user's 8B CUDA Q1 rounds", () => {
    // 10.99, 20.33, 27.50, 26.58 tok/s (seed README); numpy: mean 21.35, std(ddof=1) 7.605817948561921, var(ddof=1) 57.848466666…
    const xs = Float64Array.from([10.99, 20.33, 27.5, 26.58]);
    expect(mean(xs)).toBeCloseTo(21.35, 12);
    expect(standardDeviation(xs)).toBeCloseTo(7.605817948561921, 12);
    expect(variance(xs)).toBeCloseTo(57.84846666666667, 10);
    expect(min(xs)).toBe(10.99);
    expect(max(xs)).toBe(27.5);
    expect(coefficientOfVariation(xs)).toBeCloseTo(7.605817948561921 / 21.35, 12);
  });

  test('variance - stays accurate for large, nearly equal values', () => {
    expect(variance([1e9 + 4, 1e9 + 7, 1e9 + 13, 1e9 + 16])).toBeCloseTo(30, 6);
  });

  test('too few values - named error', () => {
    expect(() => mean([])).toThrow(InsufficientDataError);
    expect(() => standardDeviation([1])).toThrow('variance needs at least 2 value(s), got 1');
  });

  test('summarize - 95% t interval equals scipy.stats.t.interval', () => {
    // scipy 1.17.1: t.interval(0.95, 3, loc=mean, scale=sem) of the 8B CUDA Q1 rounds = (9.24745, 33.45255).
    const s = summarize([10.99, 20.33, 27.5, 26.58])!;
    expect(s.n).toBe(4);
    expect(s.ci!.lo).toBeCloseTo(9.247446385469305, 9);
    expect(s.ci!.hi).toBeCloseTo(33.4525536145307, 9);
    expect(s.median).toBeCloseTo(23.455, 12);
    expect(summarize([])).toBeNull();
    const one = summarize([5])!;
    expect([one.sd, one.ci, one.cv]).toEqual([null, null, null]);
  });
});
