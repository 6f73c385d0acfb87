import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { quantileSorted } from './descriptive.js';
import { quantilesInPlace, selectInPlace } from './order-statistics.js';
import { summarize, summarizeInPlace } from './summary.js';

describe('order statistics by selection', () => {
  test('selectInPlace finds the k-th smallest, with duplicates', () => {
    const values = [5, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5];
    const sorted = [...values].sort((a, b) => a - b);
    for (let k = 0; k < values.length; k++) {
      expect(selectInPlace(Float64Array.from(values), k)).toBe(sorted[k]);
    }
  });

  test('quantilesInPlace equals type 7 quantiles of the sorted values (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 1, maxLength: 300 }),
        (xs) => {
          const sorted = Float64Array.from(xs).sort();
          const ps = [0, 0.1, 0.5, 0.5, 0.9, 0.99, 1];
          const got = quantilesInPlace(Float64Array.from(xs), ps);
          // `+ 0` folds −0 into 0: the two may differ only in the sign of a zero.
          ps.forEach((p, i) => expect(got[i]! + 0).toBe(quantileSorted(sorted, p) + 0));
        },
      ),
    );
  });

  test('summarizeInPlace gives the same summary as summarize', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 200 }),
        (xs) => {
          const a = summarizeInPlace(Float64Array.from(xs))!;
          const b = summarize(xs)!;
          // Order statistics are exact; sums differ only by summation order (last bits).
          expect([a.n, a.min, a.max, a.median, a.p90, a.p99]).toEqual([
            b.n,
            b.min,
            b.max,
            b.median,
            b.p90,
            b.p99,
          ]);
          const close = (x: number | null | undefined, y: number | null | undefined): void => {
            if (x === null || x === undefined || y === null || y === undefined) expect(x).toBe(y);
            else expect(Math.abs(x - y)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(y)));
          };
          close(a.mean, b.mean);
          close(a.sd, b.sd);
          close(a.cv, b.cv);
          close(a.ci?.lo, b.ci?.lo);
          close(a.ci?.hi, b.ci?.hi);
        },
      ),
    );
  });
});
