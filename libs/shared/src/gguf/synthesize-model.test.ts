import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Llama } from 'node-llama-cpp';
import { ensureSynthModel } from './ensure-synth-model.js';
import { SynthModelOptionsError } from './errors.js';
import { ggufMetadataToPlain } from './gguf-metadata.js';
import { SYNTH_PRESETS } from './synth-presets.js';
import { SPM_SPACE } from './synth-vocab.js';
import {
  SYNTH_CHAT_TEMPLATE,
  SYNTH_TENSOR_TYPES,
  synthModelSizeBytes,
  synthesizeGguf,
} from './synthesize-model.js';
import type { SynthTensorType } from './synthesize-model.js';
import type { SynthPresetName } from './synth-presets.js';

let dir: string;
let llama: Llama;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rigbench-synth-'));
  const { getLlama } = await import('node-llama-cpp');
  llama = await getLlama({ gpu: false, build: 'never' });
});
afterAll(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** Reads a nested node-llama-cpp metadata object by a dotted GGUF key. */
function pick(nested: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], nested);
}

/**
 * Loads a model, evaluates a prompt and greedily decodes `count` tokens on one thread. (Not
 * `evaluateWithMetadata`: under jest's VM realm node-llama-cpp returns its metadata as raw arrays.)
 */
async function generate(path: string, count: number): Promise<number[]> {
  const model = await llama.loadModel({ modelPath: path });
  try {
    const context = await model.createContext({ contextSize: 256, threads: 1 });
    const prompt = [model.tokens.bos!, ...model.tokenize('Once upon a time, 你好')];
    const tokens: number[] = [];
    for await (const token of context.getSequence().evaluate(prompt)) {
      tokens.push(token);
      if (tokens.length >= count) break;
    }
    return tokens;
  } finally {
    await model.dispose();
  }
}

/** Ids of the word pieces: the synthesizer zeroes the output rows of all others, so greedy decoding picks these. */
function pieceIdRange(preset: SynthPresetName): [number, number] {
  return [259, SYNTH_PRESETS[preset].vocabSize - 2];
}

describe('synthesizeGguf (tiny)', () => {
  const preset: SynthPresetName = 'tiny';

  test.each(SYNTH_TENSOR_TYPES)('%s - node-llama-cpp loads it and decodes word pieces', async (type) => {
    const result = await synthesizeGguf({ outFile: join(dir, `gen-${type}.gguf`), preset, type });
    expect((await stat(result.path)).size).toBe(result.sizeBytes);
    expect(result.sizeBytes).toBe(synthModelSizeBytes(preset, type));
    expect(result.sizeBytes).toBeLessThan(2_000_000);
    const tokens = await generate(result.path, 8);
    expect(tokens).toHaveLength(8);
    // NaN or infinite logits would not rank the zero-logit byte and control tokens below the pieces.
    const [first, end] = pieceIdRange(preset);
    for (const t of tokens) expect(t >= first && t < end).toBe(true);
  });

  test('readGgufFileInfo - returns every metadata value and tensor info that was written', async () => {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const result = await synthesizeGguf({ outFile: join(dir, 'meta.gguf'), preset, type: 'q8_0', seed: 9 });
    const info = await readGgufFileInfo(result.path);
    expect(info.version).toBe(3);
    expect(Number(info.tensorCount)).toBe(result.tensorCount);
    const written = ggufMetadataToPlain(result.metadata);
    for (const [key, value] of Object.entries(written))
      expect([key, pick(info.metadata, key)]).toEqual([key, value]);
    const p = SYNTH_PRESETS.tiny;
    expect(written).toMatchObject({
      'general.architecture': 'llama',
      'general.file_type': 7,
      'general.alignment': 32,
      'llama.block_count': p.blockCount,
      'llama.embedding_length': p.embeddingLength,
      'llama.vocab_size': p.vocabSize,
      'llama.rope.dimension_count': p.embeddingLength / p.headCount,
      'tokenizer.ggml.model': 'llama',
      'tokenizer.ggml.add_bos_token': true,
      'tokenizer.chat_template': SYNTH_CHAT_TEMPLATE,
    });
    const tensors = new Map(
      info.tensorInfo!.map((t) => [t.name, { dims: t.dimensions.map(Number), type: t.ggmlType }]),
    );
    expect(tensors.size).toBe(3 + 9 * p.blockCount);
    expect(tensors.get('token_embd.weight')).toEqual({ dims: [p.embeddingLength, p.vocabSize], type: 8 });
    expect(tensors.get('output_norm.weight')).toEqual({ dims: [p.embeddingLength], type: 0 });
    expect(tensors.get('blk.3.ffn_down.weight')).toEqual({
      dims: [p.feedForwardLength, p.embeddingLength],
      type: 8,
    });
    expect(tensors.get('blk.3.ffn_norm.weight')).toEqual({ dims: [p.embeddingLength], type: 0 });
    const params = [...tensors.values()].reduce((sum, t) => sum + t.dims.reduce((a, b) => a * b, 1), 0);
    expect(result.parameterCount).toBe(params);
  });

  test('same seed gives a byte-identical file, another seed a different one', async () => {
    const write = (name: string, seed: number) =>
      synthesizeGguf({ outFile: join(dir, name), preset, type: 'f16', seed });
    const [a, b, c] = await Promise.all([write('s1a.gguf', 1), write('s1b.gguf', 1), write('s2.gguf', 2)]);
    const sha = async (path: string) =>
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
    expect(a.sha256).toBe(await sha(a.path));
    expect(b.sha256).toBe(a.sha256);
    expect(c.sha256).not.toBe(a.sha256);
    expect(c.sizeBytes).toBe(a.sizeBytes);
  });

  test('tokenizer - English, Chinese, emoji and arbitrary Unicode round-trip losslessly', async () => {
    const path = await ensureSynthModel(dir, preset);
    const model = await llama.loadModel({ modelPath: path });
    try {
      for (const text of [
        'Hello world, the model is fast.',
        '你觉得英伟达怎么样？',
        'emoji 🦙🚀👍🏽 ok',
        ' a\tb\n\nc ',
      ]) {
        expect(model.detokenize(model.tokenize(text))).toBe(text);
      }
      // Word pieces, not only byte fallback: 你觉得 英伟达 怎么样 then the three bytes of ？.
      expect(model.tokenize('你觉得英伟达怎么样？').length).toBeLessThanOrEqual(6);
      expect(model.tokenize('<|im_start|>', true)).toEqual([SYNTH_PRESETS.tiny.vocabSize - 2]);
      // Any text but the SentencePiece space marker itself, which decodes to a space in every SPM model.
      const text = fc.oneof(
        fc.string({ unit: 'binary', maxLength: 24 }),
        fc.string({ unit: 'grapheme', maxLength: 12 }),
      );
      fc.assert(
        fc.property(
          text.filter((t) => !t.includes(SPM_SPACE)),
          (t) => {
            expect(model.detokenize(model.tokenize(t))).toBe(t);
          },
        ),
        { numRuns: 200 },
      );
    } finally {
      await model.dispose();
    }
  });

  test('chat template - renders as ChatML and a LlamaChatSession prompt returns text', async () => {
    const { JinjaTemplateChatWrapper, LlamaChatSession } = await import('node-llama-cpp');
    const wrapper = new JinjaTemplateChatWrapper({ template: SYNTH_CHAT_TEMPLATE });
    const { contextText } = wrapper.generateContextState({
      chatHistory: [
        { type: 'system', text: 'Be brief.' },
        { type: 'user', text: '你好' },
        { type: 'model', response: [] },
      ],
    });
    expect(contextText.toString()).toBe(
      '<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\n你好<|im_end|>\n<|im_start|>assistant\n',
    );

    const path = await ensureSynthModel(dir, preset);
    const model = await llama.loadModel({ modelPath: path });
    try {
      const context = await model.createContext({ contextSize: 512, threads: 1 });
      const session = new LlamaChatSession({ contextSequence: context.getSequence() });
      const answer = await session.prompt('你觉得英伟达怎么样？', { maxTokens: 8 });
      expect(answer.length).toBeGreaterThan(0);
      // node-llama-cpp recognises the template as ChatML and picks its specialised wrapper.
      expect(session.chatWrapper.wrapperName).toBe('ChatML');
      expect(session.getChatHistory().map((item) => item.type)).toEqual(['system', 'user', 'model']);
    } finally {
      await model.dispose();
    }
  });
});

describe('ensureSynthModel', () => {
  test('writes once, reuses a complete file and rewrites a truncated one', async () => {
    const sub = join(dir, 'cache', 'nested');
    const [first, concurrent] = await Promise.all([
      ensureSynthModel(sub, 'tiny', { seed: 5, type: 'q8_0' }),
      ensureSynthModel(sub, 'tiny', { seed: 5, type: 'q8_0' }),
    ]);
    expect(concurrent).toBe(first);
    expect(first).toBe(join(sub, 'synth-tiny-q8_0-s5.gguf'));
    const written = await stat(first);
    expect(written.size).toBe(synthModelSizeBytes('tiny', 'q8_0', 5));
    expect(await ensureSynthModel(sub, 'tiny', { seed: 5, type: 'q8_0' })).toBe(first);
    expect((await stat(first)).mtimeMs).toBe(written.mtimeMs);
    await truncate(first, 1000);
    await ensureSynthModel(sub, 'tiny', { seed: 5, type: 'q8_0' });
    expect((await stat(first)).size).toBe(written.size);
  });
});

describe('synthesizeGguf options', () => {
  test('rejects an unknown preset, type or a bad seed, naming what is valid', async () => {
    const outFile = join(dir, 'bad.gguf');
    await expect(synthesizeGguf({ outFile, preset: 'huge' as SynthPresetName })).rejects.toThrow(
      new SynthModelOptionsError('synth preset "huge" is unknown: use one of tiny, small, medium, large'),
    );
    await expect(
      synthesizeGguf({ outFile, preset: 'tiny', type: 'q4_0' as SynthTensorType }),
    ).rejects.toThrow('use one of f32, f16, q8_0');
    await expect(synthesizeGguf({ outFile, preset: 'tiny', seed: -1 })).rejects.toThrow(
      'synth seed -1 is invalid: use an integer in [0, 4294967295]',
    );
    await expect(stat(outFile)).rejects.toThrow(/ENOENT/);
  });

  test('an aborted write rejects with the reason and leaves no file behind', async () => {
    const sub = await mkdtemp(join(dir, 'abort-'));
    const controller = new AbortController();
    const write = synthesizeGguf({
      outFile: join(sub, 'm.gguf'),
      preset: 'small',
      signal: controller.signal,
    });
    controller.abort(new Error('user pressed ctrl-c'));
    await expect(write).rejects.toThrow('user pressed ctrl-c');
    expect(await readdir(sub)).toEqual([]);
  });
});
