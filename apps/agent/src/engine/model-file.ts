/**
 * Checks a model file before a worker touches it, and reads the facts the fingerprint needs. A broken file must
 * fail its case with a clear, typed error instead of crashing llama.cpp inside the worker.
 */
import { open, stat } from 'node:fs/promises';
import { GgufFileType, readGgufFileInfo } from 'node-llama-cpp';
import type { GgufFileInfo } from 'node-llama-cpp';
import type { ModelFacts } from '@rigbench/shared';
import {
  CorruptModelFileError,
  ModelFileMissingError,
  NotGgufFileError,
  TruncatedModelFileError,
} from './engine-errors.js';

/** ggml type id → [elements per block, bytes per block] (ggml.c `type_traits`). */
const GGML_BLOCKS: Record<number, [number, number]> = {
  0: [1, 4], // F32
  1: [1, 2], // F16
  2: [32, 18], // Q4_0
  3: [32, 20], // Q4_1
  6: [32, 22], // Q5_0
  7: [32, 24], // Q5_1
  8: [32, 34], // Q8_0
  9: [32, 36], // Q8_1
  10: [256, 84], // Q2_K
  11: [256, 110], // Q3_K
  12: [256, 144], // Q4_K
  13: [256, 176], // Q5_K
  14: [256, 210], // Q6_K
  15: [256, 292], // Q8_K
  16: [256, 66], // IQ2_XXS
  17: [256, 74], // IQ2_XS
  18: [256, 98], // IQ3_XXS
  19: [256, 50], // IQ1_S
  20: [32, 18], // IQ4_NL
  21: [256, 110], // IQ3_S
  22: [256, 82], // IQ2_S
  23: [256, 136], // IQ4_XS
  24: [1, 1], // I8
  25: [1, 2], // I16
  26: [1, 4], // I32
  27: [1, 8], // I64
  28: [1, 8], // F64
  29: [256, 56], // IQ1_M
  30: [1, 2], // BF16
  34: [256, 54], // TQ1_0
  35: [256, 66], // TQ2_0
  39: [32, 17], // MXFP4
};

/** Bytes of a tensor, or null for a type this table does not know (then only its start is checked). */
function tensorBytes(ggmlType: number, elements: number): number | null {
  const block = GGML_BLOCKS[ggmlType];
  return block ? Math.ceil(elements / block[0]) * block[1] : null;
}

function describeBytes(bytes: Buffer): string {
  const printable = bytes.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${JSON.stringify(printable)} (hex ${bytes.toString('hex') || 'empty'})`;
}

/** Quantization label from `general.file_type`, e.g. `MOSTLY_Q4_K_M` → `Q4_K_M`, `ALL_F32` → `F32`. */
export function quantizationLabel(fileType: number | undefined): string {
  if (fileType == null) return 'unknown';
  const name = (GgufFileType as unknown as Record<number, string | undefined>)[fileType];
  return name ? name.replace(/^(MOSTLY|ALL)_/, '') : `file_type ${fileType}`;
}

/** What {@link inspectModelFile} learnt. */
export interface InspectedModel {
  facts: Omit<ModelFacts, 'sha256'>;
  fileInfo: GgufFileInfo;
}

/**
 * Validates `file` as a complete GGUF model and returns its facts.
 * @throws ModelFileMissingError, NotGgufFileError, CorruptModelFileError, TruncatedModelFileError
 */
export async function inspectModelFile(file: string, source: string): Promise<InspectedModel> {
  let size: number;
  let head: Buffer;
  try {
    const stats = await stat(file);
    if (!stats.isFile()) throw new Error('not a regular file');
    size = stats.size;
    const handle = await open(file, 'r');
    try {
      head = Buffer.alloc(Math.min(8, size));
      await handle.read(head, 0, head.length, 0);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new ModelFileMissingError(file, { cause: error });
  }
  if (head.length < 4 || head.subarray(0, 4).toString('latin1') !== 'GGUF')
    throw new NotGgufFileError(file, describeBytes(head.subarray(0, 4)));
  if (head.length < 8) throw new TruncatedModelFileError(file, size, null);
  const version = head.readUInt32LE(4);
  if (version < 1 || version > 3)
    throw new CorruptModelFileError(file, `GGUF version ${version} is not one llama.cpp reads (1 to 3)`);

  let fileInfo: GgufFileInfo;
  try {
    fileInfo = await readGgufFileInfo(file, {
      logWarnings: false,
      sourceType: 'filesystem',
      spliceSplitFiles: false,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/out of range|beyond|end of (the )?(file|buffer)|ERR_OUT_OF_RANGE|not enough data/i.test(message))
      throw new TruncatedModelFileError(file, size, null, { cause: error });
    throw new CorruptModelFileError(file, `its GGUF header cannot be parsed (${message})`, { cause: error });
  }

  const tensors = fileInfo.tensorInfo ?? [];
  if (tensors.length === 0) throw new CorruptModelFileError(file, 'it declares no tensors (not a model)');
  let parameters = 0;
  let expectedEnd = fileInfo.infoEndOffset ?? 0;
  for (const tensor of tensors) {
    const elements = tensor.dimensions.reduce<number>((product, dimension) => product * Number(dimension), 1);
    parameters += elements;
    const bytes = tensorBytes(tensor.ggmlType, elements) ?? 1;
    expectedEnd = Math.max(expectedEnd, Number(tensor.fileOffset) + bytes);
  }
  if (expectedEnd > size) throw new TruncatedModelFileError(file, size, expectedEnd);

  const general = fileInfo.metadata.general;
  const architecture = general?.architecture;
  if (architecture == null)
    throw new CorruptModelFileError(file, 'metadata key general.architecture is missing');
  const trained = (fileInfo.architectureMetadata as { context_length?: number }).context_length;
  return {
    fileInfo,
    facts: {
      source,
      fileSizeBytes: size,
      architecture: String(architecture),
      parameterCount: parameters > 0 ? parameters : null,
      quantization: quantizationLabel(general.file_type),
      trainedContextSize: typeof trained === 'number' ? trained : null,
    },
  };
}
