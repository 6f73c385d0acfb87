/**
 * Constants of the GGUF v3 container and the ggml tensor types the writer can encode.
 * Values follow ggml's `gguf.h` / `ggml.h`; they are on-disk numbers and must never change.
 */

/** The file starts with these four bytes. */
export const GGUF_MAGIC = 'GGUF';
/** The container version this writer produces. */
export const GGUF_VERSION = 3;
/** Alignment of the tensor data section and of every tensor in it, in bytes (`general.alignment`). */
export const GGUF_DEFAULT_ALIGNMENT = 32;

/** On-disk codes of metadata value types. */
export const GgufValueType = {
  UINT8: 0,
  INT8: 1,
  UINT16: 2,
  INT16: 3,
  UINT32: 4,
  INT32: 5,
  FLOAT32: 6,
  BOOL: 7,
  STRING: 8,
  ARRAY: 9,
  UINT64: 10,
  INT64: 11,
  FLOAT64: 12,
} as const;
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

/** ggml tensor types this writer can encode, with their on-disk codes. */
export const GgmlType = {
  F32: 0,
  F16: 1,
  Q8_0: 8,
} as const;
export type GgmlTypeName = keyof typeof GgmlType;

/** Elements per quantization block of Q8_0 (one f16 scale then 32 int8 values). */
export const Q8_0_BLOCK_ELEMENTS = 32;
/** Bytes per Q8_0 block: a 2-byte f16 scale plus 32 int8 values. */
export const Q8_0_BLOCK_BYTES = 34;

/** Token types of `tokenizer.ggml.token_type` (llama.cpp `llama_token_type`). */
export const GgufTokenType = {
  NORMAL: 1,
  UNKNOWN: 2,
  CONTROL: 3,
  USER_DEFINED: 4,
  UNUSED: 5,
  BYTE: 6,
} as const;

/** `general.file_type` values (llama.cpp `llama_ftype`) for the tensor types this writer produces. */
export const LlamaFileType = {
  ALL_F32: 0,
  MOSTLY_F16: 1,
  MOSTLY_Q8_0: 7,
} as const;

/**
 * Bytes taken by a tensor of `elements` values of `type` (without alignment padding).
 * Q8_0 needs a row length (`ne0`) that is a multiple of 32; the caller checks that.
 */
export function ggmlTensorBytes(type: GgmlTypeName, elements: number): number {
  switch (type) {
    case 'F32':
      return elements * 4;
    case 'F16':
      return elements * 2;
    case 'Q8_0':
      return (elements / Q8_0_BLOCK_ELEMENTS) * Q8_0_BLOCK_BYTES;
  }
}
