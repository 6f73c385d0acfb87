/* global performance */
/**
 * The fallback reference when no llama-bench binary is given: the lowest-level loop node-llama-cpp allows, run
 * in this process (no worker, no IPC, no engine). It calls the context's native batch methods directly, exactly
 * one `llama_decode` per pp chunk / tg token with logits for the last token, and never samples. It is NOT
 * llama-bench: it shares node-llama-cpp's binaries and N-API overhead, so it bounds what rigbench can reach
 * through node-llama-cpp, not what llama.cpp can reach.
 *
 * Also measures two naive loops, to show where a straightforward harness loses time:
 * - `evaluate-sampling`: `LlamaContextSequence.evaluate` with greedy sampling, one token per iteration;
 * - `public-no-logits`: `evaluateWithoutGeneratingNewTokens`, one call per token.
 */
import { getLlama, LlamaLogLevel } from 'node-llama-cpp';
import { seededDraws } from '@rigbench/shared/random';

/**
 * Measures pp`promptTokens` and tg`generatedTokens` at `threads`, `repetitions` times after one warm-up.
 * @returns {Promise<Record<string, number[]>>} tokens per second per repetition, by loop name.
 */
export async function referenceLoop({
  modelPath,
  threads,
  promptTokens,
  generatedTokens,
  batchSize,
  repetitions,
  naive,
}) {
  const llama = await getLlama({
    gpu: false,
    build: 'never',
    skipDownload: true,
    maxThreads: threads,
    logLevel: LlamaLogLevel.error,
  });
  const model = await llama.loadModel({ modelPath, gpuLayers: 0 });
  const vocab = Number(model.fileInfo.tensorInfo.find((t) => t.name === 'token_embd.weight').dimensions[1]);
  const context = await model.createContext({
    contextSize: Math.max(promptTokens, generatedTokens),
    batchSize,
    threads,
    sequences: 1,
    flashAttention: false,
  });
  const sequence = context.getSequence();
  const ctx = context._ctx;
  const id = sequence._sequenceId;
  const random = seededDraws(1);
  const tokens = (n) => Uint32Array.from({ length: n }, () => Math.floor(random() * vocab));
  const last = new Uint32Array(1);
  const decode = async (chunk, position) => {
    for (let offset = 0; offset < chunk.length; offset += batchSize) {
      const part = chunk.subarray(offset, Math.min(chunk.length, offset + batchSize));
      last[0] = part.length - 1;
      ctx.initBatch(part.length);
      ctx.addToBatch(id, position + offset, part, last);
      await ctx.decodeBatch();
    }
  };
  const results = { pp: [], tg: [] };
  for (let run = -1; run < repetitions; run++) {
    ctx.removeTokenCellsFromSequence(id, -1, -1);
    const prompt = tokens(promptTokens);
    let start = performance.now();
    await decode(prompt, 0);
    const pp = promptTokens / ((performance.now() - start) / 1000);
    ctx.removeTokenCellsFromSequence(id, -1, -1);
    const gen = tokens(generatedTokens);
    const one = new Uint32Array(1);
    start = performance.now();
    for (let i = 0; i < gen.length; i++) {
      one[0] = gen[i];
      await decode(one, i);
    }
    const tg = generatedTokens / ((performance.now() - start) / 1000);
    if (run >= 0) {
      results.pp.push(pp);
      results.tg.push(tg);
    }
  }
  ctx.removeTokenCellsFromSequence(id, -1, -1);
  if (naive) {
    results['tg-evaluate-sampling'] = [];
    results['tg-public-no-logits'] = [];
    for (let run = -1; run < repetitions; run++) {
      await sequence.clearHistory();
      const gen = Array.from(tokens(generatedTokens));
      let start = performance.now();
      // The sampled token is ignored: a naive harness pays for sampling but feeds random tokens like llama-bench.
      for (const token of gen) {
        const iterator = sequence.evaluate([token], { temperature: 0 });
        await iterator.next();
        await iterator.return();
      }
      const sampling = generatedTokens / ((performance.now() - start) / 1000);
      await sequence.clearHistory();
      start = performance.now();
      for (const token of gen) await sequence.evaluateWithoutGeneratingNewTokens([token]);
      const noLogits = generatedTokens / ((performance.now() - start) / 1000);
      if (run >= 0) {
        results['tg-evaluate-sampling'].push(sampling);
        results['tg-public-no-logits'].push(noLogits);
      }
    }
  }
  await context.dispose();
  await model.dispose();
  await llama.dispose();
  return results;
}
