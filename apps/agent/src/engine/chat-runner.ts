/** One chat-mode repetition: the prompt through the model's chat template, sampled as a person would use it. */
import type { LlamaContextSequence, LlamaModel, Token, TokenBias } from 'node-llama-cpp';
import type { FinishReason, GenerationSettings } from '@rigbench/shared';

/** Timings of one chat repetition, in seconds. */
export interface ChatTimings {
  promptTokens: number;
  /** Prompt start until the first token was sampled (one batched evaluation of the prompt plus one sampling). */
  ttftSeconds: number | null;
  generatedTokens: number;
  /** First generated token until the last one. */
  decodeSeconds: number;
  /** The `generatedTokens - 1` gaps between consecutive tokens. */
  interTokenGaps: Float64Array;
  endToEndSeconds: number;
  finishReason: FinishReason;
}

/**
 * Generates an answer to the already templated `promptTokens` with the plan's sampling, through node-llama-cpp's
 * `LlamaContextSequence.evaluate` (decode, sample, yield; no token predictor, no context shift logic in the way).
 * End-of-generation tokens end the answer (`eos`) unless `ignoreEos`, which forbids them through `tokenBias`
 * like llama.cpp's `--ignore-eos`.
 */
export async function runChatRepetition(
  sequence: LlamaContextSequence,
  promptTokens: Token[],
  generation: GenerationSettings,
  eogBias: TokenBias | undefined,
): Promise<ChatTimings> {
  await sequence.clearHistory();
  const gaps = new Float64Array(Math.max(0, generation.maxTokens - 1));
  let generated = 0;
  let firstAt = 0;
  let lastAt = 0;
  let finishReason: FinishReason = 'eos';
  const start = performance.now();
  const iterator = sequence.evaluate(promptTokens, {
    temperature: generation.temperature,
    ...(generation.topK != null ? { topK: generation.topK } : {}),
    ...(generation.topP != null ? { topP: generation.topP } : {}),
    seed: generation.seed,
    ...(generation.ignoreEos && eogBias != null ? { tokenBias: eogBias } : {}),
  });
  try {
    if (generation.maxTokens > 0) {
      for await (const _token of iterator) {
        const now = performance.now();
        if (generated === 0) firstAt = now;
        else gaps[generated - 1] = (now - lastAt) / 1000;
        lastAt = now;
        generated++;
        if (generated >= generation.maxTokens) {
          finishReason = 'maxTokens';
          break;
        }
      }
    } else finishReason = 'maxTokens';
  } finally {
    await iterator.return();
  }
  const end = generated > 0 ? lastAt : performance.now();
  return {
    promptTokens: promptTokens.length,
    ttftSeconds: generated > 0 ? (firstAt - start) / 1000 : null,
    generatedTokens: generated,
    decodeSeconds: generated > 1 ? (lastAt - firstAt) / 1000 : 0,
    interTokenGaps: gaps.subarray(0, Math.max(0, generated - 1)),
    endToEndSeconds: (end - start) / 1000,
    finishReason,
  };
}

/** Every end-of-generation token of the vocabulary mapped to "never", for `ignoreEos`. */
export function endOfGenerationBias(model: LlamaModel, vocabularySize: number, bias: TokenBias): TokenBias {
  for (let token = 0; token < vocabularySize; token++) {
    if (model.isEogToken(token as Token)) bias.set(token as Token, 'never');
  }
  return bias;
}
