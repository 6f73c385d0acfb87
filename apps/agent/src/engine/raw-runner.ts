/** One raw-mode repetition with llama-bench semantics (runs inside the worker). */
import type { RawTest } from '@rigbench/shared';
import type { RawDecoder } from './raw-decoder.js';
import { latencyPercentiles } from './latency-stats.js';
import { randomTokens } from './random-tokens.js';

/** Timings of one raw repetition, in seconds. */
export interface RawTimings {
  promptTokens: number;
  promptSeconds: number;
  generatedTokens: number;
  /** Sum of the `generatedTokens` single-token decodes. */
  decodeSeconds: number;
  /** Prompt start until the first tg decode returned; null without tg. */
  ttftSeconds: number | null;
  /** One latency per tg decode, in seconds. */
  decodeLatencies: Float64Array;
  endToEndSeconds: number;
}

/**
 * Runs `test` once: clear the KV cache, pre-fill `depth` random tokens (not timed), then `promptTokens` random tokens
 * as one batched evaluation (split only by the batch size, like llama-bench), then `generatedTokens` single-token
 * decodes of random tokens with no sampling. `bosToken` starts the tg stream, as in llama-bench's `test_gen`.
 */
export async function runRawRepetition(
  decoder: RawDecoder,
  test: RawTest,
  random: () => number,
  vocabularySize: number,
  bosToken: number | null,
): Promise<RawTimings> {
  await decoder.clear();
  let position = 0;
  if (test.depth > 0) {
    await decoder.decode(randomTokens(random, test.depth, vocabularySize), 0);
    position = test.depth;
  }
  const prompt = randomTokens(random, test.promptTokens, vocabularySize);
  // Drawn before timing so the tg loop does no work besides decoding.
  const generated = randomTokens(random, test.generatedTokens, vocabularySize);
  if (bosToken != null && generated.length > 0) generated[0] = bosToken;
  const latencies = new Float64Array(test.generatedTokens);
  const one = new Uint32Array(1);

  const start = performance.now();
  if (prompt.length > 0) await decoder.decode(prompt, position);
  const promptEnd = performance.now();
  position += prompt.length;
  let previous = promptEnd;
  for (let i = 0; i < generated.length; i++) {
    one[0] = generated[i] as number;
    await decoder.decode(one, position + i);
    const now = performance.now();
    latencies[i] = (now - previous) / 1000;
    previous = now;
  }
  const end = previous;
  return {
    promptTokens: prompt.length,
    promptSeconds: (promptEnd - start) / 1000,
    generatedTokens: generated.length,
    decodeSeconds: (end - promptEnd) / 1000,
    ttftSeconds: generated.length > 0 ? (promptEnd - start) / 1000 + (latencies[0] as number) : null,
    decodeLatencies: latencies,
    endToEndSeconds: (end - start) / 1000,
  };
}

/** Inter-token latency percentiles of a raw repetition; null with fewer than two decodes (as for chat). */
export function rawLatencyPercentiles(timings: RawTimings): { p50: number; p90: number; p99: number } | null {
  return timings.decodeLatencies.length >= 2 ? latencyPercentiles(timings.decodeLatencies) : null;
}
