/**
 * xoshiro128** (Blackman & Vigna), seeded through splitmix32: small, fast, and identical on every platform,
 * which is what makes synthetic models byte-identical for a seed.
 */
// Module-scope alias: inside jest's VM context every `Math.x` lookup in a hot loop is a slow global access.
const imul = Math.imul;

export class Xoshiro128 {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix32 = (): number => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = imul(z ^ (z >>> 16), 0x85ebca6b);
      z = imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix32();
    this.b = splitmix32();
    this.c = splitmix32();
    this.d = splitmix32();
  }

  /** Next uniformly distributed unsigned 32-bit integer. */
  nextU32(): number {
    const result = imul(rotl(imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Fills `out` with values uniformly distributed in [-scale, scale). */
  fillUniform(out: Float32Array, scale: number): void {
    // The step of nextU32() inlined on locals: this loop produces hundreds of millions of weights.
    let { a, b, c, d } = this;
    // 24 random bits are exactly representable in float32.
    const k = (2 * scale) / 0x1000000;
    for (let i = 0; i < out.length; i++) {
      const m = imul(b, 5);
      const result = imul((m << 7) | (m >>> 25), 9) >>> 0;
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
      out[i] = (result >>> 8) * k - scale;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
