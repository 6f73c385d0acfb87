import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GgufMetadataValueError, GgufTensorDataSizeError, GgufTensorShapeError } from './errors.js';
import { layoutGguf } from './gguf-header.js';
import { gguf, ggufMetadataToPlain } from './gguf-metadata.js';
import type { GgufMetadata } from './gguf-metadata.js';
import { writeGguf } from './gguf-writer.js';
import type { GgufTensorSource } from './gguf-writer.js';
import { f16BitsToF32, f32ToF16Bits } from './half-float.js';
import { SeededRandom } from '../random/seeded-random.js';
import { decodeTensorData, encodeTensorData } from './tensor-encoding.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rigbench-gguf-writer-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Reads a nested node-llama-cpp metadata object by a dotted GGUF key. */
function pick(nested: unknown, key: string): unknown {
  return key.split('.').reduce<unknown>((node, part) => (node as Record<string, unknown>)?.[part], nested);
}

describe('half-float', () => {
  test('f32ToF16Bits - every finite half value converts back to its own bits', () => {
    const wrong: number[] = [];
    for (let bits = 0; bits < 0x10000; bits++) {
      if ((bits & 0x7c00) === 0x7c00 && (bits & 0x3ff) !== 0) continue; // NaN payloads are not preserved
      if (f32ToF16Bits(f16BitsToF32(bits)) !== bits) wrong.push(bits);
    }
    expect(wrong).toEqual([]);
  });

  test('f32ToF16Bits - rounds ties to even, overflows to infinity, underflows to zero', () => {
    const one = 0x3c00;
    const ulp = 2 ** -10;
    expect(f32ToF16Bits(1 + ulp / 2)).toBe(one); // tie, 1.0 is even
    expect(f32ToF16Bits(1 + ulp * 1.5)).toBe(one + 2); // tie, rounds up to the even neighbour
    expect(f32ToF16Bits(1 + ulp * 0.51)).toBe(one + 1);
    expect(f32ToF16Bits(65520)).toBe(0x7c00);
    expect(f32ToF16Bits(-1e10)).toBe(0xfc00);
    expect(f32ToF16Bits(2 ** -26)).toBe(0);
    expect(f32ToF16Bits(2 ** -24)).toBe(1); // smallest subnormal
    expect(Number.isNaN(f16BitsToF32(f32ToF16Bits(NaN)))).toBe(true);
  });
});

describe('tensor encoding', () => {
  const values = new Float32Array(256);
  new SeededRandom(7).fillUniform(values, 0.5);

  test('F32 and F16 - decode to the encoded values within the type precision', () => {
    expect(decodeTensorData('F32', encodeTensorData('F32', values))).toEqual(values);
    const f16 = decodeTensorData('F16', encodeTensorData('F16', values));
    values.forEach((v, i) =>
      expect(Math.abs(f16[i]! - v)).toBeLessThanOrEqual(Math.abs(v) * 2 ** -11 + 1e-7),
    );
  });

  test('Q8_0 - blocks of 34 bytes, error within about half a quantization step', () => {
    const encoded = encodeTensorData('Q8_0', values);
    expect(encoded.length).toBe((values.length / 32) * 34);
    const decoded = decodeTensorData('Q8_0', encoded);
    for (let b = 0; b < values.length / 32; b++) {
      const block = values.subarray(b * 32, b * 32 + 32);
      const step = Math.max(...block.map(Math.abs)) / 127;
      // Half a step from rounding, plus up to 127 times the f16 rounding of the scale (2^-11 relative).
      const bound = step * (0.5 + 127 * 2 ** -11);
      block.forEach((v, j) => expect(Math.abs(decoded[b * 32 + j]! - v)).toBeLessThanOrEqual(bound));
    }
    expect(decodeTensorData('Q8_0', encodeTensorData('Q8_0', new Float32Array(32)))).toEqual(
      new Float32Array(32),
    );
  });

  test('Q8_0 - rejects a length that is not a multiple of 32', () => {
    expect(() => encodeTensorData('Q8_0', new Float32Array(33))).toThrow(GgufTensorShapeError);
  });
});

describe('gguf writer', () => {
  const metadata: GgufMetadata = {
    'general.architecture': gguf.str('test'),
    'general.alignment': gguf.u32(64),
    'test.u8': gguf.u8(255),
    'test.i8': gguf.i8(-128),
    'test.u16': gguf.u16(65535),
    'test.i16': gguf.i16(-32768),
    'test.u32': gguf.u32(4_000_000_000),
    'test.i32': gguf.i32(-2_000_000_000),
    'test.u64': gguf.u64(2n ** 63n + 5n),
    'test.i64': gguf.i64(-(2n ** 62n)),
    'test.f32': gguf.f32(0.1),
    'test.f64': gguf.f64(0.1),
    'test.bool': gguf.bool(true),
    'test.text': gguf.str('你好 🦙'),
    'test.strings': gguf.array('string', ['a', '', '▁你']),
    'test.floats': gguf.array('float32', [0.5, -1.25, 1e-5]),
    'test.ints': gguf.array('int32', [1, -2, 3]),
  };
  const rows = [new Float32Array([1, 2, 3]), new Float32Array([4, 5, 6])];
  const tensors: GgufTensorSource[] = [
    { name: 'a.weight', dims: [3, 2], type: 'F32', data: () => rows.map((r) => encodeTensorData('F32', r)) },
    {
      name: 'b.weight',
      dims: [32],
      type: 'Q8_0',
      data: async function* () {
        yield encodeTensorData('Q8_0', new Float32Array(32).fill(0.25));
      },
    },
  ];

  test('writeGguf - node-llama-cpp reads back every metadata type and every tensor info', async () => {
    const { readGgufFileInfo } = await import('node-llama-cpp');
    const path = join(dir, 'types.gguf');
    const result = await writeGguf(path, metadata, tensors);
    const info = await readGgufFileInfo(path, { logWarnings: false });
    expect(info.version).toBe(3);
    expect(Number(info.tensorCount)).toBe(2);
    for (const [key, value] of Object.entries(ggufMetadataToPlain(metadata))) {
      expect([key, pick(info.metadata, key)]).toEqual([key, value]);
    }
    expect(
      info.tensorInfo!.map((t) => ({ name: t.name, dims: t.dimensions.map(Number), type: t.ggmlType })),
    ).toEqual([
      { name: 'a.weight', dims: [3, 2], type: 0 },
      { name: 'b.weight', dims: [32], type: 8 },
    ]);
    const file = await readFile(path);
    expect(result.sizeBytes).toBe(file.length);
    expect(file.subarray(0, 4).toString('latin1')).toBe('GGUF');
    // The data section and each tensor start on the 64-byte alignment from general.alignment.
    const dataStart = info.infoEndOffset!;
    expect(dataStart % 64).toBe(0);
    const offsets = info.tensorInfo!.map((t) => Number(t.offset));
    expect(offsets).toEqual([0, 64]);
    expect(decodeTensorData('F32', file.subarray(dataStart, dataStart + 24))).toEqual(
      new Float32Array([1, 2, 3, 4, 5, 6]),
    );
    expect(decodeTensorData('Q8_0', file.subarray(dataStart + 64, dataStart + 64 + 34))[5]).toBeCloseTo(
      0.25,
      3,
    );
    expect(file.length % 64).toBe(0);
  });

  test('writeGguf - same input gives the same sha256', async () => {
    const a = await writeGguf(join(dir, 'a.gguf'), metadata, tensors);
    const b = await writeGguf(join(dir, 'b.gguf'), metadata, tensors);
    expect(a.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(b.sha256).toBe(a.sha256);
  });

  test('layoutGguf - names the key and the valid range for a value that does not fit its type', () => {
    expect(() => layoutGguf({ 'x.count': gguf.u32(-1) }, [])).toThrow(
      new GgufMetadataValueError(
        'metadata x.count: -1 is not a valid uint32 (an integer in [0, 4294967295])',
      ),
    );
    expect(() => layoutGguf({ 'x.list': gguf.array('uint8', [1, 256]) }, [])).toThrow(/x\.list\[1\]: 256/);
    expect(() => layoutGguf({ 'x.big': gguf.array('uint64', [1]) }, [])).toThrow(/expected a bigint/);
    expect(() => layoutGguf({ 'general.alignment': gguf.u32(3) }, [])).toThrow(/general\.alignment/);
  });

  test('layoutGguf - rejects a Q8_0 row length that is not a multiple of 32, and duplicate names', () => {
    expect(() => layoutGguf({}, [{ name: 'q', dims: [48, 2], type: 'Q8_0' }])).toThrow(
      /tensor q: Q8_0 needs a row length \(ne0\) that is a multiple of 32, got 48/,
    );
    const t = { name: 't', dims: [4], type: 'F32' } as const;
    expect(() => layoutGguf({}, [t, t])).toThrow(GgufTensorShapeError);
  });

  test('writeGguf - fails when a tensor source produces the wrong number of bytes', async () => {
    const short: GgufTensorSource = { name: 's', dims: [4], type: 'F32', data: () => [Buffer.alloc(12)] };
    await expect(writeGguf(join(dir, 'short.gguf'), {}, [short])).rejects.toThrow(GgufTensorDataSizeError);
    const long: GgufTensorSource = { name: 'l', dims: [4], type: 'F32', data: () => [Buffer.alloc(20)] };
    await expect(writeGguf(join(dir, 'long.gguf'), {}, [long])).rejects.toThrow(
      /more than 20 bytes.*needs 16/,
    );
  });
});
