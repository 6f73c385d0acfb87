/**
 * Deterministic token streams for raw mode: the same seed gives the same tokens on every node (the draws come
 * from @rigbench/shared's one seeded PRNG, `seededDraws(generation.seed)`).
 */

/** `count` random token ids in [0, vocabularySize), like llama-bench's `std::rand() % n_vocab`. */
export function randomTokens(next: () => number, count: number, vocabularySize: number): Uint32Array {
  const tokens = new Uint32Array(count);
  for (let i = 0; i < count; i++) tokens[i] = Math.floor(next() * vocabularySize);
  return tokens;
}
