import { InsufficientDataError, StatsDomainError } from './stats-errors.js';

/**
 * Puts the k-th smallest value of `buf[from..to]` (inclusive bounds) at index k, smaller-or-equal values left of
 * it and greater-or-equal right of it (Hoare quickselect, middle pivot; O(n) on average). Reorders `buf`.
 */
export function selectInPlace(buf: Float64Array, k: number, from = 0, to = buf.length - 1): number {
  let lo = from;
  let hi = to;
  while (lo < hi) {
    const pivot = buf[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (buf[i]! < pivot) i++;
      while (buf[j]! > pivot) j--;
      if (i <= j) {
        const t = buf[i]!;
        buf[i] = buf[j]!;
        buf[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return buf[k]!;
}

/**
 * Type 7 quantiles (see `quantileSorted`) of `buf` for ascending probabilities `ps`, by selection instead of
 * a full sort: O(n) per quantile instead of O(n log n). Reorders `buf`.
 */
export function quantilesInPlace(buf: Float64Array, ps: readonly number[]): number[] {
  const n = buf.length;
  if (n === 0) throw new InsufficientDataError('quantile', 1, 0);
  const out: number[] = [];
  let left = 0;
  let previous = -Infinity;
  for (const p of ps) {
    if (!(p >= 0 && p <= 1)) throw new StatsDomainError(`quantile probability must be in [0, 1], got ${p}`);
    if (p < previous) throw new StatsDomainError('quantilesInPlace needs ascending probabilities');
    previous = p;
    const h = (n - 1) * p;
    const lo = Math.floor(h);
    const a = lo >= left ? selectInPlace(buf, lo, left, n - 1) : buf[lo]!;
    let value = a;
    if (h > lo) {
      // The next order statistic is the smallest value right of position lo once lo is selected.
      let b = Infinity;
      for (let i = lo + 1; i < n; i++) if (buf[i]! < b) b = buf[i]!;
      value = a + (h - lo) * (b - a);
    }
    out.push(value);
    left = Math.max(left, lo + 1);
  }
  return out;
}
