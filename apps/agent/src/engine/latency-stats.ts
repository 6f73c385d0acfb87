/** Percentiles of latencies, nearest-rank method (the value below which p% of the samples fall, no interpolation). */

/** p50/p90/p99 of `values` (any unit, returned in the same unit); null with fewer than one value. */
export function latencyPercentiles(
  values: ArrayLike<number>,
): { p50: number; p90: number; p99: number } | null {
  if (values.length === 0) return null;
  const sorted = Float64Array.from(values).sort();
  return { p50: nearestRank(sorted, 50), p90: nearestRank(sorted, 90), p99: nearestRank(sorted, 99) };
}

/** Nearest-rank percentile of an ascending array: the ⌈p/100·n⌉-th smallest value. */
export function nearestRank(sorted: ArrayLike<number>, p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}
