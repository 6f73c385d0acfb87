/**
 * What one level of a serving-load test measured, as the agent's load runner summarizes it and the
 * `load.level.recorded` event carries it. Aggregate names are vLLM `bench serve`'s (`request_throughput`,
 * `output_throughput`, `ttft`, `tpot`, `itl`, `e2el`, `goodput`) so figures read the same; docs/measurement.md
 * maps them to guidellm's. Latencies in milliseconds, as vLLM prints them (`p90_ttft_ms`).
 */

import type { LoadLevelEnergy } from './energy.js';

/** mean / median / p90 / p99 of a latency, in milliseconds (null without values). */
export interface LatencySummary {
  mean: number | null;
  median: number | null;
  p90: number | null;
  p99: number | null;
}

/** Aggregate figures of one load level. */
export interface LoadSummary {
  completed: number;
  /** Wall time from the first arrival to the last token, in seconds. */
  durationSeconds: number;
  /** Completed requests per second. */
  request_throughput: number;
  /** Output tokens per second, all requests together. */
  output_throughput: number;
  /** Prompt + output tokens per second. */
  total_token_throughput: number;
  /** Time to first token from arrival (queueing included). */
  ttft: LatencySummary;
  /** Time per output token after the first, per request: (last − first) / (outputTokens − 1). */
  tpot: LatencySummary;
  /** Every inter-token gap of every request. */
  itl: LatencySummary;
  /** End-to-end latency from arrival. */
  e2el: LatencySummary;
  /** Requests per second that met every SLO; null when no SLO is set. */
  goodput: number | null;
  /** Fraction of requests that met every SLO; null when no SLO is set. */
  sloAttainment: number | null;
}

/** One request of a level, relative to the level's start (its first arrival), in milliseconds. */
export interface LoadRequestRecord {
  /** When the request arrived (closed loop: when a slot freed and it was sent). */
  arrivalMs: number;
  /** Arrival to first token (null when none came). */
  ttftMs: number | null;
  /** Arrival to last token (null when no token came). */
  e2elMs: number | null;
  promptTokens: number;
  outputTokens: number;
  /** The request's own inter-token latencies; null with fewer than two tokens. */
  itlMs: { p50: number; p90: number; p99: number } | null;
  /** Whether it met every SLO; null when the test sets none. */
  metSlo: boolean | null;
}

/** One load level: its settings, figures and every request. */
export interface LoadLevelRecord {
  /** The plan's load test id. */
  testId: string;
  /** Requests in flight at most (sequences of the level's context). */
  concurrency: number;
  /** Closed loop at `concurrency`, or Poisson arrivals at `arrivalRate` requests per second. */
  stream: 'concurrency' | 'poisson';
  arrivalRate: number | null;
  /** SLOs in milliseconds (from the plan's seconds); null when the test sets none. */
  slo: { ttftMs?: number; itlP90Ms?: number; e2elMs?: number } | null;
  /** Output tokens asked per request. */
  maxTokens: number;
  /** Threads the context ran with. */
  threads: number;
  summary: LoadSummary;
  requests: LoadRequestRecord[];
  /**
   * Power over the level's window (first arrival to last token) and output tokens per joule; null when no source
   * was readable (the reasons are in the case's fingerprint), absent when the agent measured no energy.
   */
  energy?: LoadLevelEnergy | null;
}
