import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { GgufTensorDataSizeError } from './errors.js';
import { layoutGguf } from './gguf-header.js';
import type { GgufTensorSpec } from './gguf-header.js';
import type { GgufMetadata } from './gguf-metadata.js';

/** A tensor to write: its shape and type, and a source of its encoded bytes. */
export interface GgufTensorSource extends GgufTensorSpec {
  /**
   * Produces the tensor's encoded bytes (ggml layout, `ne0` contiguous) in chunks, so large tensors never sit
   * in memory whole. The chunks must add up to exactly the size the shape and type need.
   */
  readonly data: () => Iterable<Buffer> | AsyncIterable<Buffer>;
}

/** What was written. */
export interface GgufWriteResult {
  readonly path: string;
  /** File size, in bytes. */
  readonly sizeBytes: number;
  /** SHA-256 of the whole file, lowercase hex. */
  readonly sha256: string;
}

/** Options of {@link writeGguf}. */
export interface GgufWriteOptions {
  /** Stops writing between chunks; the promise rejects with the signal's reason and the file stays partial. */
  readonly signal?: AbortSignal;
}

/**
 * Writes a GGUF v3 file: header, typed metadata, tensor infos, then each tensor's data at an aligned offset
 * (`general.alignment`, default 32 bytes). Streams tensor by tensor and hashes while writing.
 * Overwrites `path`.
 */
export async function writeGguf(
  path: string,
  metadata: GgufMetadata,
  tensors: readonly GgufTensorSource[],
  options: GgufWriteOptions = {},
): Promise<GgufWriteResult> {
  const { signal } = options;
  signal?.throwIfAborted();
  const layout = layoutGguf(metadata, tensors);
  const hash = createHash('sha256');
  const file = await open(path, 'w');
  let written = 0;
  const put = async (buf: Buffer): Promise<void> => {
    hash.update(buf);
    let done = 0;
    while (done < buf.length) {
      const { bytesWritten } = await file.write(buf, done, buf.length - done);
      done += bytesWritten;
    }
    written += buf.length;
  };
  try {
    await put(layout.header);
    const dataStart = layout.header.length;
    for (let i = 0; i < tensors.length; i++) {
      const source = tensors[i]!;
      const placed = layout.tensors[i]!;
      const padding = dataStart + placed.offset - written;
      if (padding > 0) await put(Buffer.alloc(padding));
      let produced = 0;
      for await (const chunk of source.data()) {
        signal?.throwIfAborted();
        produced += chunk.length;
        if (produced > placed.bytes) break;
        await put(chunk);
      }
      if (produced !== placed.bytes) {
        throw new GgufTensorDataSizeError(
          `tensor ${source.name}: data source produced ${produced > placed.bytes ? 'more than ' : ''}${produced} bytes, ` +
            `its ${source.type} shape [${source.dims.join(', ')}] needs ${placed.bytes}`,
        );
      }
    }
    if (layout.totalBytes > written) await put(Buffer.alloc(layout.totalBytes - written));
  } finally {
    await file.close();
  }
  return { path, sizeBytes: written, sha256: hash.digest('hex') };
}
