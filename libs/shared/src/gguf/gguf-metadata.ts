/**
 * Typed GGUF metadata values. GGUF stores a type code with every value, so the writer needs to know whether
 * `4096` is a u32 or a u64: these small constructors say it at the call site (`gguf.u32(4096)`).
 */

/** Scalar metadata types, by their GGUF names. */
export type GgufScalarTypeName =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'float32'
  | 'bool'
  | 'string'
  | 'uint64'
  | 'int64'
  | 'float64';

/** A JS value as it is stored for a scalar type: 64-bit integers are bigint so no precision is lost. */
export type GgufScalarJsValue = number | bigint | boolean | string;

/** One typed metadata value: a scalar, or an array of scalars of one type. */
export type GgufMetadataValue =
  | { readonly type: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32'; readonly value: number }
  | { readonly type: 'float32' | 'float64'; readonly value: number }
  | { readonly type: 'uint64' | 'int64'; readonly value: bigint }
  | { readonly type: 'bool'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  | {
      readonly type: 'array';
      readonly itemType: GgufScalarTypeName;
      readonly value: readonly GgufScalarJsValue[];
    };

/** Metadata in writing order: key (e.g. `llama.context_length`) to typed value. */
export type GgufMetadata = Readonly<Record<string, GgufMetadataValue>>;

/** Constructors of typed metadata values. */
export const gguf = {
  u8: (value: number): GgufMetadataValue => ({ type: 'uint8', value }),
  i8: (value: number): GgufMetadataValue => ({ type: 'int8', value }),
  u16: (value: number): GgufMetadataValue => ({ type: 'uint16', value }),
  i16: (value: number): GgufMetadataValue => ({ type: 'int16', value }),
  u32: (value: number): GgufMetadataValue => ({ type: 'uint32', value }),
  i32: (value: number): GgufMetadataValue => ({ type: 'int32', value }),
  u64: (value: bigint): GgufMetadataValue => ({ type: 'uint64', value }),
  i64: (value: bigint): GgufMetadataValue => ({ type: 'int64', value }),
  f32: (value: number): GgufMetadataValue => ({ type: 'float32', value }),
  f64: (value: number): GgufMetadataValue => ({ type: 'float64', value }),
  bool: (value: boolean): GgufMetadataValue => ({ type: 'bool', value }),
  str: (value: string): GgufMetadataValue => ({ type: 'string', value }),
  array: (itemType: GgufScalarTypeName, value: readonly GgufScalarJsValue[]): GgufMetadataValue => ({
    type: 'array',
    itemType,
    value,
  }),
} as const;

/**
 * The plain JS view of metadata (`{ 'general.name': 'x', 'tokenizer.ggml.scores': [..] }`), in the shape a
 * GGUF reader such as node-llama-cpp's `readGgufFileInfo` returns before nesting the keys. float32 values are
 * rounded to float32 precision so they compare equal to what a reader gets back.
 */
export function ggufMetadataToPlain(
  metadata: GgufMetadata,
): Record<string, GgufScalarJsValue | GgufScalarJsValue[]> {
  const out: Record<string, GgufScalarJsValue | GgufScalarJsValue[]> = {};
  for (const [key, entry] of Object.entries(metadata)) {
    if (entry.type === 'array') {
      out[key] =
        entry.itemType === 'float32' ? entry.value.map((v) => Math.fround(v as number)) : [...entry.value];
    } else {
      out[key] = entry.type === 'float32' ? Math.fround(entry.value) : entry.value;
    }
  }
  return out;
}
