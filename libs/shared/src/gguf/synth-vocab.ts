import { SynthModelOptionsError } from './errors.js';
import { GgufTokenType } from './gguf-format.js';

/** A SentencePiece-style vocabulary, as GGUF's `tokenizer.ggml.*` arrays. */
export interface SynthVocab {
  readonly tokens: readonly string[];
  readonly scores: readonly number[];
  readonly tokenTypes: readonly number[];
  readonly unkId: number;
  readonly bosId: number;
  readonly eosId: number;
  readonly padId: number;
  /** Id of the first normal piece: ids below it are `<unk>`, `<s>`, `</s>` and the byte tokens. */
  readonly firstPieceId: number;
  /** ChatML turn markers, control tokens at the end of the vocabulary (like added tokens in real models). */
  readonly imStartId: number;
  readonly imEndId: number;
}

/** SentencePiece's word-boundary marker: a space in the text becomes this in a piece. */
export const SPM_SPACE = '\u2581';

/** Smallest vocabulary: 3 specials, 256 byte tokens, the space marker, 94 ASCII characters, 2 ChatML markers. */
export const SYNTH_VOCAB_MIN_SIZE = 356;

// Common English words: prompts in examples and tests tokenize into a few pieces instead of single letters.
const ENGLISH_WORDS = (
  'the of and to in is that for it as was with be by on not he this are or his from at which but have an ' +
  'they you were her she there would their we him been has when who will no more if out so up said what its ' +
  'about than into them can only other time new some could these two may first then do any like my now over ' +
  'such our man me even most made after also did many before must through back years where much your way well ' +
  'down should because each just those people how too little state good very make world still own see men work ' +
  'long get here between both life being under never day same another know while last might us great old year ' +
  'off come since against go came right used take three hello hi please thanks tell explain write story model ' +
  'token speed test bench mark run fast slow card gpu cpu memory compute inference think answer question why ' +
  'company graphics nvidia amd intel llama chat user assistant system once upon'
).split(' ');

// Frequent Chinese characters and words, including every character of the user's benchmark questions
// (你好 / 你觉得英伟达怎么样？ / 你了解英伟达公司的1080显卡吗？), so Chinese prompts use real pieces.
const CJK_CHARS =
  '的一是不了人我在有他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行' +
  '所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实日军者意无力' +
  '它与长把机十民第公此已工使情明性知全三又关点正业外将两高间由问很最重并物手应战向头文体政美相见被利什二等产' +
  '或新己制身果加西斯月话合回特代内信表化老给世位次度门任常先海通教儿原东声提立及比员解水名真论处走义各入几口' +
  '认条平系气题活尔更别打女变四神总何电数安少报才结反受目太量再感建务做接必场件计管期市直德资命山金指克许统区' +
  '保至队形社便空决治展马科司五基眼书非则听白却界达光放强即像难且权思王象完设式色路记南品住告类求据程北边死张' +
  '该交规万取拉格望觉术领共确传师观清今切院让识候带导争运笑飞风步改收根干造言联持组每济车亲极林服快办议往元英' +
  '士证近失转夫令准布始怎呢存未远叫台单影具罗字爱击流备兵连调深商算质团集百需价花党华城石级整府离况亚请技际约' +
  '示复病息究线似官火断精满支视消越器容照须九增研写称企八功吗包片史委乎查轻易早曾除农找装广显卡伟吧啊哦嗯谢型试' +
  '，。？！、：；“”（）《》';
const CJK_WORDS = [
  '你好',
  '你觉得',
  '觉得',
  '英伟达',
  '怎么样',
  '怎么',
  '了解',
  '公司',
  '显卡',
  '我们',
  '什么',
  '没有',
  '可以',
  '这个',
  '一个',
  '因为',
  '所以',
  '但是',
  '如果',
  '模型',
  '性能',
  '速度',
  '测试',
  '问题',
  '谢谢',
];

/** Code-point prefixes of `piece` (all of them, shortest first): SentencePiece merges pairs of existing pieces. */
function prefixes(piece: string): string[] {
  const chars = [...piece];
  return chars.map((_, i) => chars.slice(0, i + 1).join(''));
}

/**
 * Builds a deterministic vocabulary of exactly `size` tokens: `<unk>`, `<s>`, `</s>`, the 256 byte-fallback
 * tokens `<0x00>`..`<0xFF>` (type BYTE), then normal pieces (the space marker, ASCII characters, English and
 * Chinese words with `▁` and every prefix a merge passes through, then letter pairs and triples as filler),
 * and the ChatML markers `<|im_start|>` `<|im_end|>` last. Byte fallback makes every UTF-8 text tokenizable
 * and every token sequence decodable.
 */
export function buildSynthVocab(size: number): SynthVocab {
  if (!Number.isInteger(size) || size < SYNTH_VOCAB_MIN_SIZE) {
    throw new SynthModelOptionsError(
      `vocabulary size ${size} is too small: it must be an integer >= ${SYNTH_VOCAB_MIN_SIZE}`,
    );
  }
  const tokens: string[] = ['<unk>', '<s>', '</s>'];
  const types: number[] = [GgufTokenType.UNKNOWN, GgufTokenType.CONTROL, GgufTokenType.CONTROL];
  for (let b = 0; b < 256; b++) {
    tokens.push(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);
    types.push(GgufTokenType.BYTE);
  }
  const controlTail = ['<|im_start|>', '<|im_end|>'];
  const normalBudget = size - tokens.length - controlTail.length;
  const seen = new Set<string>(tokens.concat(controlTail));
  const pieces: string[] = [];
  const add = (piece: string): void => {
    if (pieces.length < normalBudget && !seen.has(piece)) {
      seen.add(piece);
      pieces.push(piece);
    }
  };

  add(SPM_SPACE);
  for (let c = 0x21; c <= 0x7e; c++) add(String.fromCharCode(c));
  const words = [...ENGLISH_WORDS.slice(0, 60), ...CJK_WORDS.slice(0, 6), ...ENGLISH_WORDS.slice(60)];
  const chars = [...CJK_CHARS];
  // Interleave so that every vocabulary size gets both English and Chinese coverage.
  const queue: string[] = [];
  for (let i = 0; i < Math.max(words.length, chars.length); i++) {
    if (i < chars.length) queue.push(chars[i]!);
    if (i < words.length) queue.push(words[i]!);
    if (i < CJK_WORDS.length) queue.push(CJK_WORDS[i]!);
  }
  for (const word of queue) {
    // Chinese characters appear both after a space (▁你) and inside a sentence (你).
    for (const p of prefixes(SPM_SPACE + word)) add(p);
    if (/[^\x20-\x7e]/u.test(word)) for (const p of prefixes(word)) add(p);
  }
  const letters = 'etaoinshrdlcumwfgypbvkjxqz';
  for (const a of letters) for (const b of letters) add(a + b);
  for (const a of letters) add(SPM_SPACE + a.toUpperCase());
  for (const a of letters) for (const b of letters) for (const c of letters) add(a + b + c);
  if (pieces.length < normalBudget) {
    throw new SynthModelOptionsError(
      `vocabulary size ${size} is too large: at most ${size - normalBudget + pieces.length} is supported`,
    );
  }

  const firstPieceId = tokens.length;
  const scores: number[] = new Array<number>(tokens.length).fill(0);
  pieces.forEach((piece, i) => {
    tokens.push(piece);
    types.push(GgufTokenType.NORMAL);
    // Like SentencePiece log-probabilities: earlier (more common) pieces score higher.
    scores.push(-i);
  });
  const imStartId = tokens.length;
  for (const t of controlTail) {
    tokens.push(t);
    types.push(GgufTokenType.CONTROL);
    scores.push(0);
  }
  return {
    tokens,
    scores,
    tokenTypes: types,
    unkId: 0,
    bosId: 1,
    eosId: 2,
    padId: 0,
    firstPieceId,
    imStartId,
    imEndId: imStartId + 1,
  };
}
