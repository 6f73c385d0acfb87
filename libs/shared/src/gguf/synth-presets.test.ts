import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Llama } from 'node-llama-cpp';
import { SYNTH_PRESETS } from './synth-presets.js';
import type { SynthPresetName } from './synth-presets.js';
import { SYNTH_TENSOR_TYPES, synthesizeGguf } from './synthesize-model.js';
import type { SynthTensorType } from './synthesize-model.js';

let dir: string;
let llama: Llama;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rigbench-synth-presets-'));
  const { getLlama } = await import('node-llama-cpp');
  llama = await getLlama({ gpu: false, build: 'never' });
});
afterAll(async () => {
  await llama?.dispose();
  await rm(dir, { recursive: true, force: true });
});

const MB = 1_000_000;
// Medium is written in q8_0 only: its f32 file is ~600 MB and adds nothing the small preset does not cover.
const cases: [SynthPresetName, SynthTensorType][] = [
  ...SYNTH_TENSOR_TYPES.map((type): [SynthPresetName, SynthTensorType] => ['small', type]),
  ['medium', 'q8_0'],
];

describe('synth presets', () => {
  test.each(cases)('%s %s - node-llama-cpp loads it and decodes on one thread', async (preset, type) => {
    const result = await synthesizeGguf({ outFile: join(dir, `${preset}-${type}.gguf`), preset, type });
    try {
      const p = SYNTH_PRESETS[preset];
      if (preset === 'small') {
        expect(result.sizeBytes).toBeGreaterThan(30 * MB);
        expect(result.sizeBytes).toBeLessThan(150 * MB);
      } else {
        expect(result.sizeBytes).toBeGreaterThan(100 * MB);
      }
      const model = await llama.loadModel({ modelPath: result.path });
      try {
        expect(model.fileInfo.metadata.general.architecture).toBe('llama');
        expect(model.fileInsights.trainContextSize).toBe(p.contextLength);
        expect(model.tokens.bos).toBe(1);
        const context = await model.createContext({ contextSize: 256, threads: 1 });
        const text = '你觉得英伟达怎么样？ The GPU is fast.';
        const prompt = model.tokenize(text);
        expect(model.detokenize(prompt)).toBe(text);
        const tokens: number[] = [];
        for await (const token of context.getSequence().evaluate([model.tokens.bos!, ...prompt])) {
          tokens.push(token);
          if (tokens.length >= 4) break;
        }
        // Greedy picks among the word pieces: the byte and control tokens have zero output rows.
        for (const t of tokens) expect(t >= 259 && t < p.vocabSize - 2).toBe(true);
      } finally {
        await model.dispose();
      }
    } finally {
      await rm(result.path, { force: true });
    }
  });

  test('medium - uses grouped-query attention (fewer key/value heads)', () => {
    const m = SYNTH_PRESETS.medium;
    expect(m.headCountKv).toBeLessThan(m.headCount);
    expect(m.headCount % m.headCountKv).toBe(0);
    for (const p of Object.values(SYNTH_PRESETS)) {
      expect(p.embeddingLength % 32).toBe(0);
      expect(p.feedForwardLength % 32).toBe(0);
      expect(p.embeddingLength % p.headCount).toBe(0);
    }
  });
});
