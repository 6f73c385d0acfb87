/** Deterministic token streams for raw mode: the same seed gives the same tokens on every node. */

/** mulberry32: a small, fast 32-bit PRNG; returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` random token ids in [0, vocabularySize), like llama-bench's `std::rand() % n_vocab`. */
export function randomTokens(next: () => number, count: number, vocabularySize: number): Uint32Array {
  const tokens = new Uint32Array(count);
  for (let i = 0; i < count; i++) tokens[i] = Math.floor(next() * vocabularySize);
  return tokens;
}
