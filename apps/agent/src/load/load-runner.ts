/**
 * A serving-load level on one context: N parallel sequences (node-llama-cpp `sequences`, decoded together in one
 * batch by llama.cpp), a stream of requests (fixed concurrency or Poisson arrivals), each request a prompt
 * evaluated and answered on a free sequence. Records per-request timings for {@link summarizeLoad}.
 */
import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';
import {
  arrivalSchedule,
  summarizeLoad,
  type LoadSlo,
  type LoadSummary,
  type RequestTiming,
} from './load-stats.js';

/** One load level. */
export interface LoadLevelOptions {
  /** Requests in flight at most (≤ the context's sequences). */
  concurrency: number;
  /** Requests of the level (with `durationMs`: the most that are sent). */
  requests: number;
  /**
   * Send requests for this long only, from the level's start: a request not sent by then (waiting for its
   * arrival or for a free sequence) is dropped; those sent run to the end.
   */
  durationMs?: number;
  /** Prompts (already tokenized), used round-robin. */
  prompts: readonly Token[][];
  /** Output tokens per request. */
  maxTokens: number;
  /** Arrivals: every request due at once (closed loop at `concurrency`) or a Poisson stream. */
  stream?: { kind: 'concurrency' } | { kind: 'poisson'; ratePerSecond: number; seed: number };
  slo?: LoadSlo;
  temperature?: number;
  seed?: number;
  signal?: AbortSignal;
}

/** A level's requests and figures. */
export interface LoadLevelResult {
  concurrency: number;
  requests: RequestTiming[];
  summary: LoadSummary;
}

async function answer(
  sequence: LlamaContextSequence,
  prompt: Token[],
  arrivalMs: number,
  options: LoadLevelOptions,
): Promise<RequestTiming> {
  await sequence.clearHistory();
  const gaps: number[] = [];
  let first: number | null = null;
  let last: number | null = null;
  let generated = 0;
  const startMs = performance.now();
  const iterator = sequence.evaluate(prompt, {
    temperature: options.temperature ?? 0.7,
    seed: options.seed ?? 1,
  });
  try {
    for await (const _token of iterator) {
      const now = performance.now();
      if (first === null) first = now;
      else gaps.push(now - last!);
      last = now;
      generated++;
      if (generated >= options.maxTokens || options.signal?.aborted) break;
    }
  } finally {
    await iterator.return();
  }
  return {
    arrivalMs,
    startMs,
    firstTokenMs: first,
    lastTokenMs: last,
    promptTokens: prompt.length,
    outputTokens: generated,
    gapsMs: gaps,
  };
}

/**
 * The first `n` sequences of a context, created once and kept with it: a disposed sequence returns to the
 * context only after its last evaluation settles, so levels of a sweep reuse the same ones instead.
 */
const sequencePools = new WeakMap<LlamaContext, LlamaContextSequence[]>();
function sequencesOf(context: LlamaContext, n: number): LlamaContextSequence[] {
  const pool = sequencePools.get(context) ?? [];
  sequencePools.set(context, pool);
  while (pool.length < n) pool.push(context.getSequence());
  return pool.slice(0, n);
}

/** Resolves once `performance.now()` has reached `ms` (timers may fire a fraction of a millisecond early). */
async function until(ms: number): Promise<void> {
  while (performance.now() < ms)
    await new Promise((resolve) => setTimeout(resolve, Math.max(1, ms - performance.now())));
}

/**
 * Runs one load level on `context` (which must have at least `concurrency` sequences): requests wait for their
 * arrival time and for a free sequence, so queueing shows in TTFT and end-to-end latency from arrival.
 */
export async function runLoadLevel(
  context: LlamaContext,
  options: LoadLevelOptions,
): Promise<LoadLevelResult> {
  if (!(Number.isInteger(options.concurrency) && options.concurrency >= 1))
    throw new RangeError(`concurrency must be a whole number ≥ 1, got ${options.concurrency}`);
  if (options.concurrency > context.totalSequences)
    throw new RangeError(
      `concurrency ${options.concurrency} needs as many sequences; the context has ${context.totalSequences}`,
    );
  if (options.prompts.length === 0) throw new RangeError('a load level needs at least one prompt');
  const sequences = sequencesOf(context, options.concurrency);
  const free = [...sequences];
  const waiting: ((s: LlamaContextSequence) => void)[] = [];
  const acquire = (): Promise<LlamaContextSequence> =>
    free.length > 0 ? Promise.resolve(free.pop()!) : new Promise((resolve) => waiting.push(resolve));
  const release = (s: LlamaContextSequence): void => {
    const next = waiting.shift();
    if (next) next(s);
    else free.push(s);
  };
  const t0 = performance.now();
  const closedLoop = (options.stream ?? { kind: 'concurrency' }).kind === 'concurrency';
  const schedule = arrivalSchedule(options.requests, options.stream ?? { kind: 'concurrency' });
  const deadline = options.durationMs === undefined ? Infinity : t0 + options.durationMs;
  const sent = await Promise.all(
    schedule.map(async (offset, i): Promise<RequestTiming | null> => {
      const scheduledMs = t0 + offset;
      if (scheduledMs >= deadline) return null;
      await until(scheduledMs);
      const sequence = await acquire();
      // One reading for the deadline check and the arrival, so no request is sent at or past the deadline.
      const sentMs = performance.now();
      if (sentMs >= deadline || options.signal?.aborted) {
        release(sequence);
        return null;
      }
      // Closed loop (as vLLM's --max-concurrency): a request is sent when a slot frees, latencies count from
      // there. Poisson: from its arrival, so waiting for a busy box is part of TTFT and end-to-end latency.
      const arrivalMs = closedLoop ? sentMs : scheduledMs;
      try {
        return await answer(sequence, options.prompts[i % options.prompts.length]!, arrivalMs, options);
      } finally {
        release(sequence);
      }
    }),
  );
  const requests = sent.filter((r): r is RequestTiming => r !== null);
  return { concurrency: options.concurrency, requests, summary: summarizeLoad(requests, options.slo) };
}

/** A sweep over concurrency levels: where throughput stops growing and latency starts to, the box saturates. */
export async function runConcurrencySweep(
  context: LlamaContext,
  levels: readonly number[],
  options: Omit<LoadLevelOptions, 'concurrency'>,
): Promise<LoadLevelResult[]> {
  const out: LoadLevelResult[] = [];
  for (const concurrency of levels) {
    options.signal?.throwIfAborted();
    out.push(await runLoadLevel(context, { ...options, concurrency }));
  }
  return out;
}
