import { SynthModelOptionsError } from './errors.js';
import { GgufTokenType } from './gguf-format.js';
import { SPM_SPACE, SYNTH_VOCAB_MIN_SIZE, buildSynthVocab } from './synth-vocab.js';

describe('synth vocabulary', () => {
  test.each([SYNTH_VOCAB_MIN_SIZE, 768, 4096, 8192])(
    'buildSynthVocab(%i) - exact size, unique pieces',
    (size) => {
      const vocab = buildSynthVocab(size);
      expect(vocab.tokens).toHaveLength(size);
      expect(vocab.scores).toHaveLength(size);
      expect(vocab.tokenTypes).toHaveLength(size);
      expect(new Set(vocab.tokens).size).toBe(size);
    },
  );

  test('buildSynthVocab - specials first, then the 256 byte tokens, ChatML markers last', () => {
    const vocab = buildSynthVocab(768);
    expect(vocab.tokens.slice(0, 3)).toEqual(['<unk>', '<s>', '</s>']);
    expect(vocab.tokenTypes.slice(0, 3)).toEqual([
      GgufTokenType.UNKNOWN,
      GgufTokenType.CONTROL,
      GgufTokenType.CONTROL,
    ]);
    expect([vocab.unkId, vocab.bosId, vocab.eosId, vocab.padId]).toEqual([0, 1, 2, 0]);
    const bytes = vocab.tokens.slice(3, 259);
    expect(bytes[0]).toBe('<0x00>');
    expect(bytes[0xe4]).toBe('<0xE4>');
    expect(bytes[255]).toBe('<0xFF>');
    expect(new Set(vocab.tokenTypes.slice(3, 259))).toEqual(new Set([GgufTokenType.BYTE]));
    expect(vocab.firstPieceId).toBe(259);
    expect(vocab.tokens[vocab.firstPieceId]).toBe(SPM_SPACE);
    expect(vocab.tokens.slice(-2)).toEqual(['<|im_start|>', '<|im_end|>']);
    expect([vocab.imStartId, vocab.imEndId]).toEqual([766, 767]);
    expect(vocab.tokenTypes.slice(-2)).toEqual([GgufTokenType.CONTROL, GgufTokenType.CONTROL]);
  });

  test('buildSynthVocab - every multi-character piece can be reached by merging two shorter pieces', () => {
    // SentencePiece's tokenizer starts from single characters and only merges two adjacent symbols when
    // their concatenation is in the vocabulary.
    const vocab = buildSynthVocab(4096);
    const pieces = new Set(vocab.tokens.slice(vocab.firstPieceId, vocab.imStartId));
    const symbol = (chars: string[]): boolean => chars.length === 1 || pieces.has(chars.join(''));
    const unreachable = [...pieces].filter((piece) => {
      const chars = [...piece];
      return (
        chars.length > 1 &&
        !chars.some((_, i) => i > 0 && symbol(chars.slice(0, i)) && symbol(chars.slice(i)))
      );
    });
    expect(unreachable).toEqual([]);
    for (const piece of ['▁the', '▁你觉得', '英伟达', '怎么样', '？']) expect(pieces.has(piece)).toBe(true);
  });

  test('buildSynthVocab - rejects a size below the fixed tokens, naming the minimum', () => {
    expect(() => buildSynthVocab(300)).toThrow(SynthModelOptionsError);
    expect(() => buildSynthVocab(300)).toThrow(`must be an integer >= ${SYNTH_VOCAB_MIN_SIZE}`);
    expect(() => buildSynthVocab(1_000_000)).toThrow(/too large/);
  });
});
