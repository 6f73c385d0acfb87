import { describe, expect, test } from '@jest/globals';
import { bootstrapMedianInterval } from './bootstrap.js';
import { repetitionsNeeded } from './repetitions.js';
import { SeededRandom } from '../random/seeded-random.js';
import { tQuantile } from './t-distribution.js';

describe('bootstrap', () => {
  const cuda = [15.86, 15.65, 16.18, 15.9, 15.7, 16.05, 15.8, 15.95];
  const vulkan = [20.71, 20.5, 20.9, 20.6, 20.8, 20.45, 20.75, 20.65];

  test('same seed, same interval; another seed, a slightly different one', () => {
    const a = bootstrapMedianInterval(cuda, vulkan, { statistic: 'median-ratio', seed: 7 });
    const b = bootstrapMedianInterval(cuda, vulkan, { statistic: 'median-ratio', seed: 7 });
    const c = bootstrapMedianInterval(cuda, vulkan, { statistic: 'median-ratio', seed: 8 });
    expect(a).toEqual(b);
    expect(c.ci).not.toEqual(a.ci);
  });

  test('interval contains the estimate; median difference of shifted data recovers the shift', () => {
    const r = bootstrapMedianInterval(cuda, vulkan, { statistic: 'median-ratio' });
    expect(r.estimate).toBeCloseTo(20.68 / 15.88, 12);
    expect(r.ci.lo).toBeLessThanOrEqual(r.estimate);
    expect(r.ci.hi).toBeGreaterThanOrEqual(r.estimate);
    const shifted = cuda.map((v) => v + 3);
    const d = bootstrapMedianInterval(cuda, shifted, { statistic: 'median-difference' });
    expect(d.estimate).toBeCloseTo(3, 12);
    expect(d.ci.lo).toBeLessThanOrEqual(3);
    expect(d.ci.hi).toBeGreaterThanOrEqual(3);
  });

  test('coverage - a 95% interval of a median difference covers the truth about 95% of the time', () => {
    // Normal data, true median difference 1; 200 trials → expect 0.95 ± ~0.05.
    const rng = new SeededRandom(42);
    const normal = (): number => {
      const u = rng.next() || 1e-12;
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
    };
    let covered = 0;
    const trials = 200;
    for (let t = 0; t < trials; t++) {
      const x = Array.from({ length: 30 }, () => normal());
      const y = Array.from({ length: 30 }, () => normal() + 1);
      const r = bootstrapMedianInterval(x, y, { statistic: 'median-difference', resamples: 500, seed: t });
      if (r.ci.lo <= 1 && r.ci.hi >= 1) covered++;
    }
    expect(covered / trials).toBeGreaterThan(0.88);
    expect(covered / trials).toBeLessThan(0.995);
  });
});

describe('repetitionsNeeded', () => {
  test('smallest n with t(0.975, n−1)·cv/√n ≤ margin', () => {
    const n = repetitionsNeeded(0.2, 0.05);
    const half = (k: number): number => (tQuantile(0.975, k - 1) * 0.2) / Math.sqrt(k);
    expect(half(n)).toBeLessThanOrEqual(0.05);
    expect(half(n - 1)).toBeGreaterThan(0.05);
    // Normal-approximation sanity: (1.96·0.2/0.05)² ≈ 61.5, t pushes it slightly higher.
    expect(n).toBe(64);
  });

  test('quiet measurements need few runs (t with 1 df is 12.7)', () => {
    expect(repetitionsNeeded(0.01, 0.05)).toBe(3);
    expect(repetitionsNeeded(0.001, 0.05)).toBe(2);
  });
});
