const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/**
 * IEEE 754 binary16 bits of `x`, rounded to nearest even like ggml's `GGML_FP32_TO_FP16`
 * (overflow gives infinity, tiny values become subnormal or zero, NaN stays NaN).
 */
export function f32ToF16Bits(x: number): number {
  f32[0] = x;
  return f32BitsToF16Bits(u32[0]!);
}

/** {@link f32ToF16Bits} from the IEEE 754 binary32 bits of the value. */
export function f32BitsToF16Bits(bits: number): number {
  const sign = (bits >>> 16) & 0x8000;
  const exp = (bits >>> 23) & 0xff;
  let mant = bits & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant !== 0 ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (half & 1) === 1)) half++;
    return sign | half;
  }
  const half = (e << 10) | (mant >>> 13);
  // Branch-free round to nearest even (random weights make a branch here unpredictable): adds 1 when the
  // dropped 13 bits exceed half, or equal half and the result is odd. A carry out of the mantissa correctly
  // bumps the exponent (and reaches infinity at the top).
  return sign | (half + (((mant & 0x1fff) + 0xfff + (half & 1)) >>> 13));
}

/** The float value of IEEE 754 binary16 `bits`. */
export function f16BitsToF32(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits >>> 10) & 0x1f;
  const mant = bits & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}
