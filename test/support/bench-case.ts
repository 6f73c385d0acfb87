import type { BenchCase } from '@rigbench/shared';

/**
 * A raw tg4 case of the tiny model on Vulkan, every layer asked on the GPU and no device named: the case the
 * agent's placement and load-check tests judge; `overrides` replace fields.
 */
export function vulkanRawCase(overrides: Partial<BenchCase> = {}): BenchCase {
  return {
    index: 0,
    caseId: 'c0',
    model: { id: 'tiny', source: 'tiny.gguf' },
    backend: 'vulkan',
    devices: [],
    gpuLayers: 'max',
    contextSize: 256,
    batchSize: 64,
    threads: 1,
    flashAttention: false,
    kvCacheType: 'f16',
    workload: { mode: 'raw', test: { id: 'tg4', promptTokens: 0, generatedTokens: 4, depth: 0 } },
    generation: { maxTokens: 4, temperature: 0, seed: 1, ignoreEos: true },
    warmup: 0,
    repetitions: 1,
    ...overrides,
  };
}
