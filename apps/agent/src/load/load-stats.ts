/**
 * Serving-load figures from per-request timings, named as vLLM's `bench serve` names them (`request_throughput`,
 * `output_throughput`, `ttft`, `tpot`, `itl`, `e2el`, `goodput`), so results read the same. guidellm reports the
 * same quantities as "requests per second", "time to first token", "inter-token latency" and "request latency".
 */
import type { LatencySummary, LoadRequestRecord, LoadSummary } from '@rigbench/shared';
import { SeededRandom } from '@rigbench/shared/random';

/** One request as the load runner saw it; times in epoch-free milliseconds (`performance.now()`). */
export interface RequestTiming {
  /** When the request was due (its arrival in the request stream). */
  arrivalMs: number;
  /** When a sequence started evaluating it (≥ arrival: queueing shows in TTFT). */
  startMs: number;
  /** First generated token; null when none. */
  firstTokenMs: number | null;
  /** Last generated token; null when none. */
  lastTokenMs: number | null;
  promptTokens: number;
  outputTokens: number;
  /** Gaps between consecutive output tokens, in milliseconds (`outputTokens − 1` of them). */
  gapsMs: readonly number[];
}

/** Service-level objectives of a load test (all optional; a request meets the SLOs when it meets every one). */
export interface LoadSlo {
  /** Time to first token, from arrival, in milliseconds. */
  ttftMs?: number;
  /** 90th percentile of the request's inter-token latencies, in milliseconds. */
  itlP90Ms?: number;
  /** End-to-end latency, from arrival, in milliseconds. */
  e2elMs?: number;
}

export type { LatencySummary, LoadSummary };

/** Nearest-rank percentile (as the rest of rigbench's latency percentiles). */
function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/** mean, median, p90, p99 of `values`. */
export function summarizeLatency(values: readonly number[]): LatencySummary {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    mean: sorted.length > 0 ? sorted.reduce((s, v) => s + v, 0) / sorted.length : null,
    median: percentile(sorted, 0.5),
    p90: percentile(sorted, 0.9),
    p99: percentile(sorted, 0.99),
  };
}

/** Whether one request met every SLO set. */
export function meetsSlo(r: RequestTiming, slo: LoadSlo): boolean {
  if (r.firstTokenMs === null || r.lastTokenMs === null) return false;
  if (slo.ttftMs !== undefined && r.firstTokenMs - r.arrivalMs > slo.ttftMs) return false;
  if (slo.e2elMs !== undefined && r.lastTokenMs - r.arrivalMs > slo.e2elMs) return false;
  if (slo.itlP90Ms !== undefined) {
    const p90 = percentile(
      [...r.gapsMs].sort((a, b) => a - b),
      0.9,
    );
    if (p90 !== null && p90 > slo.itlP90Ms) return false;
  }
  return true;
}

/** The figures of one load level from its requests. */
export function summarizeLoad(requests: readonly RequestTiming[], slo: LoadSlo = {}): LoadSummary {
  const done = requests.filter((r) => r.lastTokenMs !== null);
  const start = Math.min(...requests.map((r) => r.arrivalMs));
  const end = Math.max(...done.map((r) => r.lastTokenMs!));
  const durationSeconds = done.length > 0 ? (end - start) / 1000 : 0;
  const per = (x: number): number => (durationSeconds > 0 ? x / durationSeconds : 0);
  const outputTokens = done.reduce((s, r) => s + r.outputTokens, 0);
  const promptTokens = done.reduce((s, r) => s + r.promptTokens, 0);
  const hasSlo = slo.ttftMs !== undefined || slo.itlP90Ms !== undefined || slo.e2elMs !== undefined;
  const good = hasSlo ? done.filter((r) => meetsSlo(r, slo)).length : 0;
  return {
    completed: done.length,
    durationSeconds,
    request_throughput: per(done.length),
    output_throughput: per(outputTokens),
    total_token_throughput: per(outputTokens + promptTokens),
    ttft: summarizeLatency(done.map((r) => r.firstTokenMs! - r.arrivalMs)),
    tpot: summarizeLatency(
      done
        .filter((r) => r.outputTokens > 1)
        .map((r) => (r.lastTokenMs! - r.firstTokenMs!) / (r.outputTokens - 1)),
    ),
    itl: summarizeLatency(done.flatMap((r) => r.gapsMs)),
    e2el: summarizeLatency(done.map((r) => r.lastTokenMs! - r.arrivalMs)),
    goodput: hasSlo ? per(good) : null,
    sloAttainment: hasSlo ? (requests.length > 0 ? good / requests.length : 0) : null,
  };
}

/**
 * Arrival times (ms from the start) of `count` requests: all at 0 for a fixed concurrency (the runner keeps N
 * in flight), or a Poisson process at `ratePerSecond` (exponential gaps from a seeded generator).
 */
export function arrivalSchedule(
  count: number,
  stream: { kind: 'concurrency' } | { kind: 'poisson'; ratePerSecond: number; seed: number },
): number[] {
  if (stream.kind === 'concurrency') return Array.from({ length: count }, () => 0);
  if (!(stream.ratePerSecond > 0))
    throw new RangeError(`ratePerSecond must be > 0, got ${stream.ratePerSecond}`);
  const random = new SeededRandom(stream.seed);
  const out: number[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    out.push(at);
    at += (-Math.log(1 - random.next()) / stream.ratePerSecond) * 1000;
  }
  return out;
}

/**
 * Each request as the `load.level.recorded` event carries it: times from the level's first arrival, its own ITL
 * percentiles (the gaps themselves stay on the agent), and whether it met the SLOs.
 */
export function requestRecords(requests: readonly RequestTiming[], slo?: LoadSlo): LoadRequestRecord[] {
  const start = requests.length > 0 ? Math.min(...requests.map((r) => r.arrivalMs)) : 0;
  // Microseconds are plenty for latencies and keep a level's event small (see load-event-size.ts).
  const us = (ms: number): number => Math.round(ms * 1000) / 1000;
  const hasSlo =
    slo !== undefined && (slo.ttftMs !== undefined || slo.itlP90Ms !== undefined || slo.e2elMs !== undefined);
  return requests.map((r) => {
    const gaps = [...r.gapsMs].sort((a, b) => a - b);
    return {
      arrivalMs: us(r.arrivalMs - start),
      ttftMs: r.firstTokenMs === null ? null : us(r.firstTokenMs - r.arrivalMs),
      e2elMs: r.lastTokenMs === null ? null : us(r.lastTokenMs - r.arrivalMs),
      promptTokens: r.promptTokens,
      outputTokens: r.outputTokens,
      itlMs:
        gaps.length === 0
          ? null
          : {
              p50: us(percentile(gaps, 0.5)!),
              p90: us(percentile(gaps, 0.9)!),
              p99: us(percentile(gaps, 0.99)!),
            },
      metSlo: hasSlo ? meetsSlo(r, slo) : null,
    };
  });
}
