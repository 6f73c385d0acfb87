import { realpath, stat } from 'node:fs/promises';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { DownloadProgressListener } from './download-progress.js';

/** Base of every failure to turn a plan's model `source` into a file inside the models directory. */
export class ModelReferenceError extends Error {
  override name = 'ModelReferenceError';
  constructor(
    /** The `source` as the plan gave it. */
    readonly source: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The reference would leave the models directory (`..`, an outside absolute path, a symlink out). */
export class ModelOutsideModelsDirError extends ModelReferenceError {
  override name = 'ModelOutsideModelsDirError';
}

/** The reference is malformed (empty, NUL byte, not a regular file). */
export class ModelReferenceInvalidError extends ModelReferenceError {
  override name = 'ModelReferenceInvalidError';
}

/** No file exists at the reference inside the models directory. */
export class ModelNotFoundError extends ModelReferenceError {
  override name = 'ModelNotFoundError';
}

/** An `hf:` URI could not be resolved or downloaded into the models directory. */
export class ModelDownloadError extends ModelReferenceError {
  override name = 'ModelDownloadError';
}

/** Downloads an `hf:` URI into `directory`; `guardedUriResolver` (model-download.ts) in production. */
export type ModelUriResolver = (
  uri: string,
  directory: string,
  signal?: AbortSignal,
  onProgress?: DownloadProgressListener,
) => Promise<string>;

/** Options of {@link resolveModelPath}. */
export interface ResolveModelPathOptions {
  /** Resolves `hf:` URIs; without one they are refused. */
  resolveUri?: ModelUriResolver;
  signal?: AbortSignal;
  /** Progress of a download, when `source` needs one (throttled by the resolver). */
  onProgress?: DownloadProgressListener;
}

const isInside = (root: string, path: string): boolean => path === root || path.startsWith(root + sep);

/**
 * Resolves a plan's model `source` to the real path of a regular file inside `modelsDir`. Refuses `..` segments,
 * absolute paths outside the directory and symlinks that lead out of it (checked on the real path), so a plan can
 * never make the agent read an arbitrary file. `hf:` URIs are downloaded into `modelsDir` by `resolveUri`.
 */
export async function resolveModelPath(
  modelsDir: string,
  source: string,
  options: ResolveModelPathOptions = {},
): Promise<string> {
  if (source.trim() === '') throw new ModelReferenceInvalidError(source, 'model source is empty');
  if (source.includes('\0')) throw new ModelReferenceInvalidError(source, `model source contains a NUL byte`);
  let root: string;
  try {
    root = await realpath(modelsDir);
  } catch (error) {
    throw new ModelNotFoundError(source, `models directory ${modelsDir} does not exist`, { cause: error });
  }

  let candidate: string;
  if (source.startsWith('hf:')) {
    if (!options.resolveUri) {
      throw new ModelDownloadError(source, `cannot resolve ${source}: this agent does not download models`);
    }
    try {
      candidate = await options.resolveUri(source, root, options.signal, options.onProgress);
    } catch (error) {
      throw new ModelDownloadError(
        source,
        `cannot resolve ${source} into ${root}: ${(error as Error).message} ` +
          '(no network? copy the GGUF file into the models directory and name it by its path)',
        { cause: error },
      );
    }
  } else {
    if (source.split(/[\\/]/).includes('..')) {
      throw new ModelOutsideModelsDirError(
        source,
        `model source '${source}' contains '..'; give a path inside the models directory ${root}`,
      );
    }
    candidate = isAbsolute(source) ? source : resolve(root, source);
    const lexical = isAbsolute(source) ? resolve(source) : candidate;
    // An absolute path is accepted only when it names the models directory by its configured or real path.
    if (!isInside(root, lexical) && !isInside(resolve(modelsDir), lexical)) {
      throw new ModelOutsideModelsDirError(
        source,
        `model source '${source}' is outside the models directory ${root}; give a path relative to it`,
      );
    }
  }

  let real: string;
  try {
    real = await realpath(candidate);
  } catch (error) {
    throw new ModelNotFoundError(
      source,
      `model '${source}' not found in ${root} (ListModels shows the files there)`,
      { cause: error },
    );
  }
  if (!isInside(root, real)) {
    throw new ModelOutsideModelsDirError(
      source,
      `model source '${source}' resolves to ${real}, outside the models directory ${root} (symlink escape)`,
    );
  }
  const info = await stat(real);
  if (!info.isFile()) {
    throw new ModelReferenceInvalidError(
      source,
      `model source '${source}' is not a regular file (${relative(root, real) || '.'})`,
    );
  }
  return real;
}
