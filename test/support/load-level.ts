/** A serving-load level record for tests that need one without running a load (schema, metrics). */
import type { LatencySummary, LoadLevelRecord } from '@rigbench/shared';

/** A latency summary whose mean, median, p90 and p99 are all `ms` (null: no values). */
export const flatLatency = (ms: number | null): LatencySummary => ({
  mean: ms,
  median: ms,
  p90: ms,
  p99: ms,
});

/**
 * The `serve` test at `concurrency`: 4 requests of 8 tokens over 2 s, closed loop, no SLOs and no request records;
 * `summary` replaces figures of the summary.
 */
export function loadLevelRecord(
  concurrency: number,
  summary: Partial<LoadLevelRecord['summary']> = {},
): LoadLevelRecord {
  return {
    testId: 'serve',
    concurrency,
    stream: 'concurrency',
    arrivalRate: null,
    slo: null,
    maxTokens: 8,
    threads: 1,
    summary: {
      completed: 4,
      durationSeconds: 2,
      request_throughput: 2,
      output_throughput: 16,
      total_token_throughput: 30,
      ttft: flatLatency(250),
      tpot: flatLatency(40),
      itl: flatLatency(45),
      e2el: flatLatency(600),
      goodput: null,
      sloAttainment: null,
      ...summary,
    },
    requests: [],
  };
}
