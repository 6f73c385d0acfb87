/**
 * A raw-mode (llama-bench semantics) CPU bench case for the engine, as the benchmark scripts build them.
 * `contextSize` defaults to exactly llama-bench's n_ctx (depth + pp + tg), so both KV caches have the same size;
 * `spareCells` adds room for node-llama-cpp's public evaluation, which keeps one cell free.
 */
export function rawCpuCase({
  index = 0,
  caseId,
  model,
  threads,
  test,
  batchSize = 512,
  repetitions,
  spareCells = 0,
}) {
  return {
    index,
    caseId,
    model,
    backend: 'cpu',
    devices: [],
    gpuLayers: 0,
    contextSize: test.promptTokens + test.generatedTokens + test.depth + spareCells,
    batchSize,
    threads,
    flashAttention: false,
    kvCacheType: 'f16',
    workload: { mode: 'raw', test },
    generation: { maxTokens: 0, temperature: 0, seed: 1, ignoreEos: false },
    warmup: 1,
    repetitions,
  };
}
