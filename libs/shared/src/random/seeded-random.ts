/**
 * rigbench's one seeded PRNG: mulberry32, a 32-bit generator that gives the same stream for a seed on every
 * platform and Node version. Everything seeded uses it: bootstrap intervals (reports and golden files depend on
 * the same seed giving the same interval), the interleaved case order of a plan, raw-mode token streams, Poisson
 * arrivals of load tests and the weights of synthetic GGUF models. Not for cryptography (use node:crypto).
 *
 * A period of 2^32 draws per seed is enough for each of those: a stream is seeded per bootstrap, per round, per
 * case, per load test and per synthetic tensor (the largest preset's largest tensor has ≈ 10^8 weights).
 */

const SCALE_32 = 4294967296;
const GOLDEN_GAMMA = 0x6d2b79f5;
// Module-scope alias: inside jest's VM context every `Math.x` lookup in a hot loop is a slow global access.
const imul = Math.imul;

/** A seeded stream of pseudo-random numbers (mulberry32). */
export class SeededRandom {
  private state: number;

  /** `seed` is taken modulo 2^32 (any integer works; negative ones wrap). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Next unsigned 32-bit integer, uniform in [0, 2^32). */
  nextU32(): number {
    this.state = (this.state + GOLDEN_GAMMA) >>> 0;
    let t = this.state;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }

  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number {
    return this.nextU32() / SCALE_32;
  }

  /** Uniform integer in [0, n). */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fills `out` with values uniformly distributed in [-scale, scale) (24 random bits each, exact in float32). */
  fillUniform(out: Float32Array, scale: number): void {
    // The step of nextU32() inlined on a local: this loop produces hundreds of millions of weights. It costs
    // ≈ 6 ns a value on the 2-core CI box, about twice the xoshiro128** synthetic models used before (+0.3 s for
    // the small preset at f16, a few seconds for large): the price of one generator instead of two.
    let state = this.state;
    const k = (2 * scale) / 0x1000000;
    for (let i = 0; i < out.length; i++) {
      state = (state + GOLDEN_GAMMA) >>> 0;
      let t = state;
      t = imul(t ^ (t >>> 15), t | 1);
      t ^= t + imul(t ^ (t >>> 7), t | 61);
      out[i] = ((t ^ (t >>> 14)) >>> 8) * k - scale;
    }
    this.state = state;
  }
}

/** `next` as a plain function, for code that takes a `() => number` source of [0, 1) draws. */
export function seededDraws(seed: number): () => number {
  const random = new SeededRandom(seed);
  return () => random.next();
}
