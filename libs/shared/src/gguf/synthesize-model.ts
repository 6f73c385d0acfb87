import { randomBytes } from 'node:crypto';
import { rename, rm } from 'node:fs/promises';
import { SynthModelOptionsError } from './errors.js';
import { LlamaFileType } from './gguf-format.js';
import type { GgmlTypeName } from './gguf-format.js';
import { layoutGguf, tensorElements } from './gguf-header.js';
import type { GgufLayout, GgufTensorSpec } from './gguf-header.js';
import { gguf } from './gguf-metadata.js';
import type { GgufMetadata } from './gguf-metadata.js';
import { writeGguf } from './gguf-writer.js';
import type { GgufTensorSource } from './gguf-writer.js';
import { SeededRandom } from '../random/seeded-random.js';
import { SYNTH_PRESETS } from './synth-presets.js';
import type { SynthPreset, SynthPresetName } from './synth-presets.js';
import { buildSynthVocab } from './synth-vocab.js';
import type { SynthVocab } from './synth-vocab.js';
import { encodeTensorData } from './tensor-encoding.js';

/** Tensor types of the weight matrices (norm weights are always f32). */
export type SynthTensorType = 'f32' | 'f16' | 'q8_0';

/** Types a synthetic model can be written in. */
export const SYNTH_TENSOR_TYPES: readonly SynthTensorType[] = ['f32', 'f16', 'q8_0'];

/** Default PRNG seed of the synthesizer. */
export const SYNTH_DEFAULT_SEED = 1;
/** Default matrix type: half the size of f32, and it puts the small preset in the 100-300 tok/s band on one core. */
export const SYNTH_DEFAULT_TYPE: SynthTensorType = 'f16';

/** Options of {@link synthesizeGguf}. */
export interface SynthOptions {
  /** Output path; written atomically (temporary file, then rename). */
  readonly outFile: string;
  readonly preset: SynthPresetName;
  /** PRNG seed, an unsigned 32-bit integer; the same seed and options give a byte-identical file. */
  readonly seed?: number;
  /** Type of the weight matrices; default {@link SYNTH_DEFAULT_TYPE}. */
  readonly type?: SynthTensorType;
  /** Cancels the write; the partial file is removed and the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
}

/** What {@link synthesizeGguf} wrote. */
export interface SynthResult {
  readonly path: string;
  /** File size, in bytes. */
  readonly sizeBytes: number;
  /** SHA-256 of the file, lowercase hex. */
  readonly sha256: string;
  readonly preset: SynthPresetName;
  readonly type: SynthTensorType;
  readonly seed: number;
  /** Every metadata key and typed value written, in file order. */
  readonly metadata: GgufMetadata;
  /** Number of weights (elements of all tensors). */
  readonly parameterCount: number;
  readonly tensorCount: number;
}

const GGML_TYPES: Record<SynthTensorType, GgmlTypeName> = { f32: 'F32', f16: 'F16', q8_0: 'Q8_0' };
const FILE_TYPES: Record<SynthTensorType, number> = {
  f32: LlamaFileType.ALL_F32,
  f16: LlamaFileType.MOSTLY_F16,
  q8_0: LlamaFileType.MOSTLY_Q8_0,
};

/** ChatML, rendered by node-llama-cpp's Jinja support and recognised by llama.cpp's template detection. */
export const SYNTH_CHAT_TEMPLATE =
  "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}" +
  "{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

// Standard deviation of the random weights (GPT-2's initialisation): keeps activations and logits small and finite.
const WEIGHT_STD = 0.02;
// Values generated per chunk, to bound memory whatever the tensor size.
const CHUNK_ELEMENTS = 1 << 20;

interface SynthTensor extends GgufTensorSpec {
  readonly role: 'norm' | 'matrix' | 'output';
}

/** Everything needed to write a synthetic model, computed without touching the disk. */
interface SynthPlan {
  readonly preset: SynthPresetName;
  readonly type: SynthTensorType;
  readonly seed: number;
  readonly metadata: GgufMetadata;
  readonly vocab: SynthVocab;
  readonly tensors: readonly SynthTensor[];
  readonly layout: GgufLayout;
}

function checkOptions(preset: unknown, type: unknown, seed: unknown): void {
  if (typeof preset !== 'string' || !Object.hasOwn(SYNTH_PRESETS, preset)) {
    throw new SynthModelOptionsError(
      `synth preset ${JSON.stringify(preset)} is unknown: use one of ${Object.keys(SYNTH_PRESETS).join(', ')}`,
    );
  }
  if (!SYNTH_TENSOR_TYPES.includes(type as SynthTensorType)) {
    throw new SynthModelOptionsError(
      `synth type ${JSON.stringify(type)} is unknown: use one of ${SYNTH_TENSOR_TYPES.join(', ')}`,
    );
  }
  if (typeof seed !== 'number' || !Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new SynthModelOptionsError(
      `synth seed ${String(seed)} is invalid: use an integer in [0, 4294967295]`,
    );
  }
}

function buildMetadata(
  name: SynthPresetName,
  p: SynthPreset,
  type: SynthTensorType,
  seed: number,
  vocab: SynthVocab,
): GgufMetadata {
  return {
    'general.architecture': gguf.str('llama'),
    'general.name': gguf.str(`rigbench-synth-${name}`),
    'general.description': gguf.str(
      `Synthetic llama model with random weights (preset ${name}, seed ${seed}) written by rigbench for ` +
        'benchmarks and tests; its output is meaningless.',
    ),
    'general.file_type': gguf.u32(FILE_TYPES[type]),
    'general.quantization_version': gguf.u32(2),
    'general.alignment': gguf.u32(32),
    // Which generator drew the weights. Files written before rigbench's PRNGs became one (xoshiro128** weights)
    // lack the key; its 49 bytes move the 32-byte-aligned tensor data, so their size differs from today's and
    // ensureSynthModel, which reuses a file of the expected size, rewrites them instead of mixing two models
    // under one name.
    'rigbench.synth.prng': gguf.str('mulberry32'),
    'llama.context_length': gguf.u32(p.contextLength),
    'llama.embedding_length': gguf.u32(p.embeddingLength),
    'llama.block_count': gguf.u32(p.blockCount),
    'llama.feed_forward_length': gguf.u32(p.feedForwardLength),
    'llama.attention.head_count': gguf.u32(p.headCount),
    'llama.attention.head_count_kv': gguf.u32(p.headCountKv),
    'llama.attention.layer_norm_rms_epsilon': gguf.f32(p.rmsEpsilon),
    'llama.rope.dimension_count': gguf.u32(p.embeddingLength / p.headCount),
    'llama.rope.freq_base': gguf.f32(p.ropeFreqBase),
    'llama.vocab_size': gguf.u32(p.vocabSize),
    'tokenizer.ggml.model': gguf.str('llama'),
    'tokenizer.ggml.tokens': gguf.array('string', vocab.tokens),
    'tokenizer.ggml.scores': gguf.array('float32', vocab.scores),
    'tokenizer.ggml.token_type': gguf.array('int32', vocab.tokenTypes),
    'tokenizer.ggml.bos_token_id': gguf.u32(vocab.bosId),
    'tokenizer.ggml.eos_token_id': gguf.u32(vocab.eosId),
    'tokenizer.ggml.unknown_token_id': gguf.u32(vocab.unkId),
    'tokenizer.ggml.padding_token_id': gguf.u32(vocab.padId),
    'tokenizer.ggml.add_bos_token': gguf.bool(true),
    'tokenizer.ggml.add_eos_token': gguf.bool(false),
    'tokenizer.chat_template': gguf.str(SYNTH_CHAT_TEMPLATE),
  };
}

function buildTensors(p: SynthPreset, type: SynthTensorType): SynthTensor[] {
  const t = GGML_TYPES[type];
  const embd = p.embeddingLength;
  const kv = (embd / p.headCount) * p.headCountKv;
  const tensors: SynthTensor[] = [
    { name: 'token_embd.weight', dims: [embd, p.vocabSize], type: t, role: 'matrix' },
    { name: 'output_norm.weight', dims: [embd], type: 'F32', role: 'norm' },
    { name: 'output.weight', dims: [embd, p.vocabSize], type: t, role: 'output' },
  ];
  for (let i = 0; i < p.blockCount; i++) {
    const blk = `blk.${i}`;
    tensors.push(
      { name: `${blk}.attn_norm.weight`, dims: [embd], type: 'F32', role: 'norm' },
      { name: `${blk}.attn_q.weight`, dims: [embd, embd], type: t, role: 'matrix' },
      { name: `${blk}.attn_k.weight`, dims: [embd, kv], type: t, role: 'matrix' },
      { name: `${blk}.attn_v.weight`, dims: [embd, kv], type: t, role: 'matrix' },
      { name: `${blk}.attn_output.weight`, dims: [embd, embd], type: t, role: 'matrix' },
      { name: `${blk}.ffn_norm.weight`, dims: [embd], type: 'F32', role: 'norm' },
      { name: `${blk}.ffn_gate.weight`, dims: [embd, p.feedForwardLength], type: t, role: 'matrix' },
      { name: `${blk}.ffn_down.weight`, dims: [p.feedForwardLength, embd], type: t, role: 'matrix' },
      { name: `${blk}.ffn_up.weight`, dims: [embd, p.feedForwardLength], type: t, role: 'matrix' },
    );
  }
  return tensors;
}

function planSynthModel(preset: SynthPresetName, type: SynthTensorType, seed: number): SynthPlan {
  checkOptions(preset, type, seed);
  const p = SYNTH_PRESETS[preset];
  const vocab = buildSynthVocab(p.vocabSize);
  const metadata = buildMetadata(preset, p, type, seed, vocab);
  const tensors = buildTensors(p, type);
  return { preset, type, seed, metadata, vocab, tensors, layout: layoutGguf(metadata, tensors) };
}

/**
 * File size in bytes that {@link synthesizeGguf} produces for these options, computed without writing
 * (used to tell a complete cached model from a partial one).
 */
export function synthModelSizeBytes(
  preset: SynthPresetName,
  type: SynthTensorType = SYNTH_DEFAULT_TYPE,
  seed: number = SYNTH_DEFAULT_SEED,
): number {
  return planSynthModel(preset, type, seed).layout.totalBytes;
}

function* tensorChunks(tensor: SynthTensor, index: number, plan: SynthPlan): Generator<Buffer> {
  const rowLength = tensor.dims[0]!;
  const rows = tensorElements(tensor) / rowLength;
  if (tensor.role === 'norm') {
    // RMS-norm gains of one, as a freshly initialised model has.
    yield encodeTensorData('F32', new Float32Array(rowLength).fill(1));
    return;
  }
  // One generator per tensor, keyed by seed and position, so a tensor's values do not depend on chunking.
  const rng = new SeededRandom((Math.imul(plan.seed, 0x85ebca6b) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0);
  const uniformHalfWidth = WEIGHT_STD * Math.sqrt(3);
  const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / rowLength));
  const { vocab } = plan;
  for (let row = 0; row < rows; row += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - row);
    const values = new Float32Array(n * rowLength);
    rng.fillUniform(values, uniformHalfWidth);
    if (tensor.role === 'output') {
      // Zero output rows give control and byte tokens a logit of 0, below the best word piece, so greedy
      // decoding never stops early nor emits broken UTF-8: benchmarks get their full token count.
      for (let r = 0; r < n; r++) {
        const id = row + r;
        if (id < vocab.firstPieceId || id >= vocab.imStartId)
          values.fill(0, r * rowLength, (r + 1) * rowLength);
      }
    }
    yield encodeTensorData(tensor.type, values);
  }
}

/**
 * Writes a synthetic llama GGUF v3 model with random weights from a seeded PRNG: complete llama metadata, a
 * SentencePiece vocabulary with byte fallback (any UTF-8 text round-trips, except that the marker `▁` itself
 * decodes to a space, as in every SentencePiece model), a ChatML chat template, and
 * matrices in f32, f16 or q8_0. Deterministic: the same options give a byte-identical file. Streams tensor
 * by tensor, so memory stays at a few MB whatever the preset.
 */
export async function synthesizeGguf(options: SynthOptions): Promise<SynthResult> {
  const { outFile, preset, seed = SYNTH_DEFAULT_SEED, type = SYNTH_DEFAULT_TYPE, signal } = options;
  const plan = planSynthModel(preset, type, seed);
  const sources: GgufTensorSource[] = plan.tensors.map((tensor, index) => ({
    name: tensor.name,
    dims: tensor.dims,
    type: tensor.type,
    data: () => tensorChunks(tensor, index, plan),
  }));
  // Writing beside the target and renaming keeps readers (and concurrent writers) from seeing a partial file.
  const partial = `${outFile}.${process.pid}-${randomBytes(4).toString('hex')}.part`;
  let written;
  try {
    written = await writeGguf(partial, plan.metadata, sources, { signal });
    await rename(partial, outFile);
  } catch (err) {
    await rm(partial, { force: true });
    throw err;
  }
  return {
    path: outFile,
    sizeBytes: written.sizeBytes,
    sha256: written.sha256,
    preset,
    type,
    seed,
    metadata: plan.metadata,
    parameterCount: plan.tensors.reduce((sum, t) => sum + tensorElements(t), 0),
    tensorCount: plan.tensors.length,
  };
}
