/**
 * Histogram buckets of the agent's metrics. The three speed/latency histograms (decode t/s, prompt t/s, TTFT) use
 * geometric buckets 4% apart, so any change of 5% or more moves a value across at least one bound and a median
 * read with `histogram_quantile` moves with it; the others keep coarse buckets. Cardinality budget: README.md.
 */

/** Ratio between neighbouring bounds of the fine buckets: a 4% step (below the 5% a dashboard must resolve). */
export const FINE_BUCKET_RATIO = 1.04;

/**
 * Geometric bucket bounds from `start` up to at least `end`, each `ratio` times the one before, rounded to four
 * significant digits (short `le` labels; the rounding moves a bound by at most 0.05%).
 */
export function geometricBuckets(start: number, end: number, ratio: number = FINE_BUCKET_RATIO): number[] {
  if (!(start > 0) || !(end > start) || !(ratio > 1)) {
    throw new RangeError(
      `geometricBuckets: need 0 < start < end and ratio > 1, got ${start}, ${end}, ${ratio}`,
    );
  }
  const bounds: number[] = [];
  for (let value = start; ; value *= ratio) {
    const rounded = Number(value.toPrecision(4));
    if (bounds.length === 0 || rounded > (bounds[bounds.length - 1] as number)) bounds.push(rounded);
    if (rounded >= end) break;
  }
  return bounds;
}

/**
 * Bucket bounds per histogram. Speeds and TTFT: 4% steps over the range homelab hardware spans (a 70B model on
 * CPU at 1 tok/s to a small model on a fast GPU at 1,000; prefill 10 to 10,000 tok/s; TTFT 10 ms to 30 s).
 */
export const METRIC_BUCKETS = {
  /** Time to first token, in seconds: 0.01 … 30, 4% steps (206 bounds). */
  ttftSeconds: geometricBuckets(0.01, 30),
  /** Prompt processing rate, in tokens per second: 10 … 10,000, 4% steps (178 bounds). */
  promptTokensPerSecond: geometricBuckets(10, 10_000),
  /** Decode rate, in tokens per second: 1 … 1,000, 4% steps (178 bounds). */
  decodeTokensPerSecond: geometricBuckets(1, 1000),
  /** Token counts (prompt or generated). */
  tokens: [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384],
  /** Median inter-token latency of a sample, in seconds. */
  interTokenLatencySeconds: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.035, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1],
  /** Whole repetition, in seconds. */
  sampleSeconds: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300],
  /** Decode tokens per joule (GPU + CPU packages): 0.05 for a big model on CPU, tens for a small one on a GPU. */
  decodeTokensPerJoule: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100],
  /** Mean power while decoding (GPU + CPU packages), in watts. */
  decodeWatts: [5, 10, 25, 50, 75, 100, 150, 200, 300, 400, 600, 800, 1200],
  /** Model load, in seconds. */
  modelLoadSeconds: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300],
} as const;
