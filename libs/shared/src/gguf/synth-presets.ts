/** Hyper-parameters of a synthetic llama model. */
export interface SynthPreset {
  /** Tokens in the vocabulary. */
  readonly vocabSize: number;
  /** Hidden size (`llama.embedding_length`); a multiple of 32 so every type works. */
  readonly embeddingLength: number;
  /** Transformer blocks (`llama.block_count`). */
  readonly blockCount: number;
  /** FFN hidden size (`llama.feed_forward_length`); a multiple of 32. */
  readonly feedForwardLength: number;
  /** Attention heads (`llama.attention.head_count`). */
  readonly headCount: number;
  /** Key/value heads (`llama.attention.head_count_kv`); fewer than `headCount` means grouped-query attention. */
  readonly headCountKv: number;
  /** Trained context length, in tokens (`llama.context_length`). */
  readonly contextLength: number;
  /** RoPE base frequency (`llama.rope.freq_base`). */
  readonly ropeFreqBase: number;
  /** RMS norm epsilon (`llama.attention.layer_norm_rms_epsilon`). */
  readonly rmsEpsilon: number;
}

/** Names of the synthetic model presets. */
export type SynthPresetName = 'tiny' | 'small' | 'medium' | 'large';

/**
 * The presets. Approximate file sizes (f32 / f16 / q8_0): tiny 1.3 / 0.6 / 0.35 MB (unit-test fixture),
 * small 126 / 63 / 34 MB (the benchmark model), medium 608 / 304 / 162 MB, large (q8_0 only in practice) 1.2 GB.
 * `large` has TinyLlama-1.1B's shape: memory-bound decode at tens of tok/s on a CPU core, the order of magnitude of
 * the seed's P104-100 cards, so benchmarks show the realistic case beside the overhead-bound small one.
 */
export const SYNTH_PRESETS: Readonly<Record<SynthPresetName, SynthPreset>> = Object.freeze({
  tiny: Object.freeze({
    vocabSize: 768,
    embeddingLength: 64,
    blockCount: 4,
    feedForwardLength: 192,
    headCount: 4,
    headCountKv: 4,
    contextLength: 4096,
    ropeFreqBase: 10000,
    rmsEpsilon: 1e-5,
  }),
  small: Object.freeze({
    vocabSize: 4096,
    embeddingLength: 512,
    blockCount: 8,
    feedForwardLength: 1536,
    headCount: 8,
    headCountKv: 8,
    contextLength: 4096,
    ropeFreqBase: 10000,
    rmsEpsilon: 1e-5,
  }),
  medium: Object.freeze({
    vocabSize: 8192,
    embeddingLength: 1024,
    blockCount: 12,
    feedForwardLength: 2816,
    headCount: 16,
    headCountKv: 4,
    contextLength: 4096,
    ropeFreqBase: 10000,
    rmsEpsilon: 1e-5,
  }),
  large: Object.freeze({
    vocabSize: 16384,
    embeddingLength: 2048,
    blockCount: 22,
    feedForwardLength: 5632,
    headCount: 32,
    headCountKv: 4,
    contextLength: 4096,
    ropeFreqBase: 10000,
    rmsEpsilon: 1e-5,
  }),
});
