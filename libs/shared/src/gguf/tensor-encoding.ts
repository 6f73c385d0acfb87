import { Q8_0_BLOCK_BYTES, Q8_0_BLOCK_ELEMENTS, ggmlTensorBytes } from './gguf-format.js';
import type { GgmlTypeName } from './gguf-format.js';
import { GgufTensorShapeError } from './errors.js';
import { f16BitsToF32, f32BitsToF16Bits, f32ToF16Bits } from './half-float.js';

// Module-scope aliases: inside jest's VM context every `Math.x` lookup in a hot loop is a slow global access.
const { abs, max, fround } = Math;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Encodes float values into ggml's on-disk layout for `type`. For Q8_0 the length must be a multiple of 32;
 * quantization follows ggml's reference `quantize_row_q8_0` (scale = absmax / 127 stored as f16).
 */
export function encodeTensorData(type: GgmlTypeName, values: Float32Array): Buffer {
  // Unpooled (so typed-array views are aligned) and not zeroed: every byte is written below.
  const out = Buffer.allocUnsafeSlow(ggmlTensorBytes(type, values.length));
  switch (type) {
    case 'F32':
      encodeF32(values, out);
      return out;
    case 'F16':
      encodeF16(values, out);
      return out;
    case 'Q8_0':
      if (values.length % Q8_0_BLOCK_ELEMENTS !== 0) {
        throw new GgufTensorShapeError(
          `Q8_0 data must hold a multiple of ${Q8_0_BLOCK_ELEMENTS} values, got ${values.length}`,
        );
      }
      encodeQ8_0(values, out);
      return out;
  }
}

// Typed-array views write in host byte order; GGUF is little-endian, so they are used only on such hosts.
// One small function per type keeps each hot loop monomorphic for V8.

function encodeF32(values: Float32Array, out: Buffer): void {
  if (LITTLE_ENDIAN) new Float32Array(out.buffer, out.byteOffset, values.length).set(values);
  else for (let i = 0; i < values.length; i++) out.writeFloatLE(values[i]!, i * 4);
}

function encodeF16(values: Float32Array, out: Buffer): void {
  const bits = new Uint32Array(values.buffer, values.byteOffset, values.length);
  if (LITTLE_ENDIAN) {
    const halves = new Uint16Array(out.buffer, out.byteOffset, values.length);
    for (let i = 0; i < values.length; i++) halves[i] = f32BitsToF16Bits(bits[i]!);
  } else {
    for (let i = 0; i < values.length; i++) out.writeUInt16LE(f32BitsToF16Bits(bits[i]!), i * 2);
  }
}

function encodeQ8_0(values: Float32Array, out: Buffer): void {
  const q = new Int8Array(out.buffer, out.byteOffset, out.length);
  const blocks = values.length / Q8_0_BLOCK_ELEMENTS;
  for (let b = 0; b < blocks; b++) {
    const base = b * Q8_0_BLOCK_ELEMENTS;
    let amax = 0;
    for (let j = 0; j < Q8_0_BLOCK_ELEMENTS; j++) amax = max(amax, abs(values[base + j]!));
    const d = fround(amax / 127);
    const id = d !== 0 ? fround(1 / d) : 0;
    const at = b * Q8_0_BLOCK_BYTES;
    out.writeUInt16LE(f32ToF16Bits(d), at);
    for (let j = 0; j < Q8_0_BLOCK_ELEMENTS; j++) {
      // Round half up, without branches: |x * id| <= 127, so the shifted value is positive and `| 0` floors it.
      // (ggml's roundf rounds negative halves down instead; exact halves do not occur in practice and either
      // rounding keeps the error within half a step.)
      q[at + 2 + j] = ((values[base + j]! * id + 128.5) | 0) - 128;
    }
  }
}

/** Decodes ggml-encoded data back to floats (the inverse of {@link encodeTensorData}, up to rounding). */
export function decodeTensorData(type: GgmlTypeName, data: Buffer): Float32Array {
  switch (type) {
    case 'F32': {
      const out = new Float32Array(data.length / 4);
      for (let i = 0; i < out.length; i++) out[i] = data.readFloatLE(i * 4);
      return out;
    }
    case 'F16': {
      const out = new Float32Array(data.length / 2);
      for (let i = 0; i < out.length; i++) out[i] = f16BitsToF32(data.readUInt16LE(i * 2));
      return out;
    }
    case 'Q8_0': {
      const blocks = data.length / Q8_0_BLOCK_BYTES;
      const out = new Float32Array(blocks * Q8_0_BLOCK_ELEMENTS);
      for (let b = 0; b < blocks; b++) {
        const d = f16BitsToF32(data.readUInt16LE(b * Q8_0_BLOCK_BYTES));
        for (let j = 0; j < Q8_0_BLOCK_ELEMENTS; j++) {
          out[b * Q8_0_BLOCK_ELEMENTS + j] = d * data.readInt8(b * Q8_0_BLOCK_BYTES + 2 + j);
        }
      }
      return out;
    }
  }
}
