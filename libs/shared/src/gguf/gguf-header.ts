import { GgufMetadataValueError, GgufTensorShapeError } from './errors.js';
import {
  GGUF_DEFAULT_ALIGNMENT,
  GGUF_MAGIC,
  GGUF_VERSION,
  GgmlType,
  GgufValueType,
  Q8_0_BLOCK_ELEMENTS,
  ggmlTensorBytes,
} from './gguf-format.js';
import type { GgmlTypeName } from './gguf-format.js';
import type {
  GgufMetadata,
  GgufMetadataValue,
  GgufScalarJsValue,
  GgufScalarTypeName,
} from './gguf-metadata.js';

/** Shape and type of one tensor. */
export interface GgufTensorSpec {
  /** Tensor name as llama.cpp expects it, e.g. `blk.0.attn_q.weight`. */
  readonly name: string;
  /** Dimensions with `ne0` first: `ne0` is the innermost (contiguous) one, i.e. the row length. */
  readonly dims: readonly number[];
  readonly type: GgmlTypeName;
}

/** Where each tensor lands in the file and how big everything is. */
export interface GgufLayout {
  /** Header, metadata, tensor infos and the padding up to the data section. */
  readonly header: Buffer;
  /** Data alignment, in bytes. */
  readonly alignment: number;
  /** Per tensor (same order as given): offset from the start of the data section and size, in bytes. */
  readonly tensors: readonly {
    readonly spec: GgufTensorSpec;
    readonly offset: number;
    readonly bytes: number;
  }[];
  /** Size of the whole file, in bytes. */
  readonly totalBytes: number;
}

const SCALAR_CODES: Record<GgufScalarTypeName, number> = {
  uint8: GgufValueType.UINT8,
  int8: GgufValueType.INT8,
  uint16: GgufValueType.UINT16,
  int16: GgufValueType.INT16,
  uint32: GgufValueType.UINT32,
  int32: GgufValueType.INT32,
  float32: GgufValueType.FLOAT32,
  bool: GgufValueType.BOOL,
  string: GgufValueType.STRING,
  uint64: GgufValueType.UINT64,
  int64: GgufValueType.INT64,
  float64: GgufValueType.FLOAT64,
};

const INT_RANGES: Partial<Record<GgufScalarTypeName, readonly [number, number]>> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};

/** A growable little-endian byte sink; the header is small (at most a few MB of vocabulary). */
class ByteSink {
  private buf = Buffer.alloc(64 * 1024);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    const next = Buffer.alloc(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }
  get length(): number {
    return this.len;
  }
  u8(v: number): void {
    this.reserve(1);
    this.len = this.buf.writeUInt8(v, this.len);
  }
  i8(v: number): void {
    this.reserve(1);
    this.len = this.buf.writeInt8(v, this.len);
  }
  u16(v: number): void {
    this.reserve(2);
    this.len = this.buf.writeUInt16LE(v, this.len);
  }
  i16(v: number): void {
    this.reserve(2);
    this.len = this.buf.writeInt16LE(v, this.len);
  }
  u32(v: number): void {
    this.reserve(4);
    this.len = this.buf.writeUInt32LE(v, this.len);
  }
  i32(v: number): void {
    this.reserve(4);
    this.len = this.buf.writeInt32LE(v, this.len);
  }
  u64(v: bigint): void {
    this.reserve(8);
    this.len = this.buf.writeBigUInt64LE(v, this.len);
  }
  i64(v: bigint): void {
    this.reserve(8);
    this.len = this.buf.writeBigInt64LE(v, this.len);
  }
  f32(v: number): void {
    this.reserve(4);
    this.len = this.buf.writeFloatLE(v, this.len);
  }
  f64(v: number): void {
    this.reserve(8);
    this.len = this.buf.writeDoubleLE(v, this.len);
  }
  /** GGUF string: u64 byte length, then UTF-8 bytes without a terminator. */
  str(v: string): void {
    const bytes = Buffer.from(v, 'utf8');
    this.u64(BigInt(bytes.length));
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.len);
    this.len += bytes.length;
  }
  zeros(n: number): void {
    this.reserve(n);
    this.buf.fill(0, this.len, this.len + n);
    this.len += n;
  }
  toBuffer(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.len));
  }
}

function writeScalar(
  sink: ByteSink,
  type: GgufScalarTypeName,
  value: GgufScalarJsValue,
  where: string,
): void {
  const range = INT_RANGES[type];
  if (range !== undefined) {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < range[0] || value > range[1]) {
      throw new GgufMetadataValueError(
        `${where}: ${String(value)} is not a valid ${type} (an integer in [${range[0]}, ${range[1]}])`,
      );
    }
  }
  const expect = (jsType: string): void => {
    if (typeof value !== jsType) {
      throw new GgufMetadataValueError(
        `${where}: ${String(value)} is not a valid ${type} (expected a ${jsType})`,
      );
    }
  };
  switch (type) {
    case 'uint8':
      return sink.u8(value as number);
    case 'int8':
      return sink.i8(value as number);
    case 'uint16':
      return sink.u16(value as number);
    case 'int16':
      return sink.i16(value as number);
    case 'uint32':
      return sink.u32(value as number);
    case 'int32':
      return sink.i32(value as number);
    case 'float32':
      expect('number');
      return sink.f32(value as number);
    case 'float64':
      expect('number');
      return sink.f64(value as number);
    case 'uint64':
      expect('bigint');
      if ((value as bigint) < 0n || (value as bigint) >= 1n << 64n) {
        throw new GgufMetadataValueError(`${where}: ${String(value)} is not a valid uint64`);
      }
      return sink.u64(value as bigint);
    case 'int64':
      expect('bigint');
      if ((value as bigint) < -(1n << 63n) || (value as bigint) >= 1n << 63n) {
        throw new GgufMetadataValueError(`${where}: ${String(value)} is not a valid int64`);
      }
      return sink.i64(value as bigint);
    case 'bool':
      expect('boolean');
      return sink.u8(value ? 1 : 0);
    case 'string':
      expect('string');
      return sink.str(value as string);
  }
}

function writeValue(sink: ByteSink, key: string, entry: GgufMetadataValue): void {
  if (entry.type === 'array') {
    sink.u32(GgufValueType.ARRAY);
    sink.u32(SCALAR_CODES[entry.itemType]);
    sink.u64(BigInt(entry.value.length));
    entry.value.forEach((item, i) => writeScalar(sink, entry.itemType, item, `metadata ${key}[${i}]`));
    return;
  }
  sink.u32(SCALAR_CODES[entry.type]);
  writeScalar(sink, entry.type, entry.value, `metadata ${key}`);
}

const alignUp = (n: number, alignment: number): number => Math.ceil(n / alignment) * alignment;

function checkTensor(spec: GgufTensorSpec): void {
  if (spec.dims.length < 1 || spec.dims.length > 4) {
    throw new GgufTensorShapeError(`tensor ${spec.name}: has ${spec.dims.length} dims, GGUF allows 1 to 4`);
  }
  for (const d of spec.dims) {
    if (!Number.isSafeInteger(d) || d < 1) {
      throw new GgufTensorShapeError(`tensor ${spec.name}: dim ${d} must be a positive integer`);
    }
  }
  if (spec.type === 'Q8_0' && spec.dims[0]! % Q8_0_BLOCK_ELEMENTS !== 0) {
    throw new GgufTensorShapeError(
      `tensor ${spec.name}: Q8_0 needs a row length (ne0) that is a multiple of ${Q8_0_BLOCK_ELEMENTS}, got ${spec.dims[0]}`,
    );
  }
}

/** Number of elements of a tensor. */
export function tensorElements(spec: Pick<GgufTensorSpec, 'dims'>): number {
  return spec.dims.reduce((a, b) => a * b, 1);
}

/**
 * Encodes the GGUF v3 header (magic, version, counts, metadata, tensor infos, padding) and places every tensor
 * at an aligned offset. The alignment is `general.alignment` when the metadata sets it, else 32 bytes.
 */
export function layoutGguf(metadata: GgufMetadata, tensors: readonly GgufTensorSpec[]): GgufLayout {
  const alignEntry = metadata['general.alignment'];
  let alignment = GGUF_DEFAULT_ALIGNMENT;
  if (alignEntry !== undefined) {
    if (alignEntry.type !== 'uint32' || alignEntry.value < 1 || alignEntry.value % 8 !== 0) {
      throw new GgufMetadataValueError(
        'metadata general.alignment: must be a uint32 multiple of 8 (e.g. gguf.u32(32))',
      );
    }
    alignment = alignEntry.value;
  }
  const names = new Set<string>();
  for (const spec of tensors) {
    checkTensor(spec);
    if (names.has(spec.name)) throw new GgufTensorShapeError(`tensor ${spec.name}: name used twice`);
    names.add(spec.name);
  }

  const sink = new ByteSink();
  for (const ch of GGUF_MAGIC) sink.u8(ch.charCodeAt(0));
  sink.u32(GGUF_VERSION);
  sink.u64(BigInt(tensors.length));
  const entries = Object.entries(metadata);
  sink.u64(BigInt(entries.length));
  for (const [key, entry] of entries) {
    sink.str(key);
    writeValue(sink, key, entry);
  }

  const placed: { spec: GgufTensorSpec; offset: number; bytes: number }[] = [];
  let offset = 0;
  for (const spec of tensors) {
    const bytes = ggmlTensorBytes(spec.type, tensorElements(spec));
    sink.str(spec.name);
    sink.u32(spec.dims.length);
    for (const d of spec.dims) sink.u64(BigInt(d));
    sink.u32(GgmlType[spec.type]);
    sink.u64(BigInt(offset));
    placed.push({ spec, offset, bytes });
    offset = alignUp(offset + bytes, alignment);
  }
  sink.zeros(alignUp(sink.length, alignment) - sink.length);
  const header = sink.toBuffer();
  const last = placed[placed.length - 1];
  const dataBytes = last === undefined ? 0 : alignUp(last.offset + last.bytes, alignment);
  return { header, alignment, tensors: placed, totalBytes: header.length + dataBytes };
}
