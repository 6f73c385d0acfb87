/**
 * How raw mode feeds tokens to llama.cpp. llama-bench calls `llama_decode` on batches of at most `n_batch` tokens
 * with logits for the last token only, and never samples. Two ways to do that from node-llama-cpp:
 *
 * - `direct`: the context's native batch calls (`initBatch` / `addToBatch` / `decodeBatch`), one N-API async call
 *   per `llama_decode`, logits for the last token of each batch: the same work as llama-bench. These methods are
 *   internal to node-llama-cpp 3.x (`LlamaContext._ctx`), so their presence is checked and `sequence` is the
 *   fallback. The JS side of the sequence never learns about these tokens; the KV cache is cleared natively.
 * - `sequence`: the public `evaluateWithoutGeneratingNewTokens`, which goes through node-llama-cpp's batch queue,
 *   thread splitter and token meter, and asks for no logits at all (so it skips the output layer).
 *
 * `npm run bench:engine` measures both; `direct` is within noise of llama-bench, see docs/measurement.md.
 */
import type { LlamaContext, LlamaContextSequence, Token } from 'node-llama-cpp';

export type RawDecoderKind = 'direct' | 'sequence';

export interface RawDecoder {
  readonly kind: RawDecoderKind;
  /** Evaluates `tokens` at positions `position…` in batches of at most the context's batch size. */
  decode(tokens: Uint32Array, position: number): Promise<void>;
  /** Empties the sequence's KV cache (llama-bench clears memory before every repetition). */
  clear(): Promise<void>;
}

/** The native context methods `direct` needs; internal to node-llama-cpp, so checked at run time. */
interface NativeContext {
  initBatch(size: number): void;
  addToBatch(
    sequenceId: number,
    firstTokenPosition: number,
    tokens: Uint32Array,
    logitIndexes: Uint32Array,
  ): Uint32Array;
  decodeBatch(): Promise<void>;
  removeTokenCellsFromSequence(sequenceId: number, start: number, end: number): boolean;
}

function nativeOf(
  context: LlamaContext,
  sequence: LlamaContextSequence,
): { ctx: NativeContext; id: number } | null {
  const ctx = (context as unknown as { _ctx?: Partial<NativeContext> })._ctx;
  const id = (sequence as unknown as { _sequenceId?: unknown })._sequenceId;
  if (
    ctx == null ||
    typeof id !== 'number' ||
    typeof ctx.initBatch !== 'function' ||
    typeof ctx.addToBatch !== 'function' ||
    typeof ctx.decodeBatch !== 'function' ||
    typeof ctx.removeTokenCellsFromSequence !== 'function'
  )
    return null;
  return { ctx: ctx as NativeContext, id };
}

/** The decoder of `kind`, or `sequence` when `direct` is asked for but this node-llama-cpp lacks its methods. */
export function createRawDecoder(
  context: LlamaContext,
  sequence: LlamaContextSequence,
  kind: RawDecoderKind = 'direct',
): RawDecoder {
  const native = kind === 'direct' ? nativeOf(context, sequence) : null;
  if (native != null) return directDecoder(native.ctx, native.id, context.batchSize);
  return sequenceDecoder(sequence);
}

function directDecoder(ctx: NativeContext, sequenceId: number, batchSize: number): RawDecoder {
  // Reused so the hot tg loop allocates nothing per token.
  const lastIndex = new Uint32Array(1);
  return {
    kind: 'direct',
    async decode(tokens, position) {
      for (let offset = 0; offset < tokens.length; offset += batchSize) {
        const chunk = tokens.subarray(offset, Math.min(tokens.length, offset + batchSize));
        lastIndex[0] = chunk.length - 1;
        ctx.initBatch(chunk.length);
        ctx.addToBatch(sequenceId, position + offset, chunk, lastIndex);
        await ctx.decodeBatch();
      }
    },
    async clear() {
      ctx.removeTokenCellsFromSequence(sequenceId, -1, -1);
    },
  };
}

function sequenceDecoder(sequence: LlamaContextSequence): RawDecoder {
  return {
    kind: 'sequence',
    async decode(tokens) {
      await sequence.evaluateWithoutGeneratingNewTokens(Array.from(tokens) as Token[]);
    },
    async clear() {
      await sequence.clearHistory();
    },
  };
}
