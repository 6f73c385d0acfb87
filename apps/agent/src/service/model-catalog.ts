import type { Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { inspectModelFile } from '../engine/index.js';

/** What a GGUF header says about the model in it. */
export interface GgufSummary {
  architecture: string;
  /** e.g. `Q4_K_M`, `F16`; `unknown` when `general.file_type` is absent. */
  quantization: string;
  /** Sum of the tensors' element counts; null when the file has no tensor info. */
  parameterCount: number | null;
  /** Trained context length, in tokens; null when absent. */
  trainedContextSize: number | null;
  name: string;
}

/** One file of the models directory: its GGUF facts, or why it is not a usable GGUF. */
export interface ModelFileEntry {
  /** Relative to the models directory, `/`-separated (what a plan's `models[].source` names). */
  path: string;
  sizeBytes: number;
  modifiedTime: string;
  result: { gguf: GgufSummary } | { error: string };
}

/** Reads a GGUF header and checks the file; {@link engineGgufReader} in production. */
export type GgufReader = (path: string) => Promise<GgufSummary>;

/** How deep the scan descends into subdirectories (e.g. `vendor/model/file.gguf`). */
const MAX_DEPTH = 4;

/**
 * Reads GGUF facts with the engine's `inspectModelFile` (node-llama-cpp's `readGgufFileInfo` plus the magic,
 * corruption and truncation checks the engine applies before loading), so ListModels says what a run would hit.
 */
export const engineGgufReader: GgufReader = async (path) => {
  const { facts, fileInfo } = await inspectModelFile(path, path);
  const name = (fileInfo.metadata.general as { name?: unknown } | undefined)?.name;
  return {
    architecture: facts.architecture,
    quantization: facts.quantization,
    parameterCount: facts.parameterCount,
    trainedContextSize: facts.trainedContextSize,
    name: typeof name === 'string' ? name : '',
  };
};

/**
 * Lists the models directory: every regular, non-hidden file (symlinks only when they stay inside the
 * directory), with GGUF facts or the reason it is not a usable GGUF. Facts are cached by path, size and mtime.
 */
export class ModelCatalog {
  readonly #cache = new Map<string, { key: string; result: ModelFileEntry['result'] }>();

  constructor(
    readonly modelsDir: string,
    private readonly reader: GgufReader = engineGgufReader,
  ) {}

  async list(): Promise<ModelFileEntry[]> {
    let root: string;
    try {
      root = await realpath(this.modelsDir);
    } catch {
      return [];
    }
    const files: string[] = [];
    await this.#walk(root, root, 0, files);
    files.sort();
    const entries: ModelFileEntry[] = [];
    for (const file of files) {
      const info = await stat(file).catch(() => null);
      if (!info?.isFile()) continue;
      const rel = relative(root, file).split(sep).join('/');
      const key = `${info.size}:${info.mtimeMs}`;
      let cached = this.#cache.get(file);
      if (cached?.key !== key) {
        let result: ModelFileEntry['result'];
        try {
          result = { gguf: await this.reader(file) };
        } catch (error) {
          result = { error: (error as Error).message };
        }
        cached = { key, result };
        this.#cache.set(file, cached);
      }
      entries.push({
        path: rel,
        sizeBytes: info.size,
        modifiedTime: info.mtime.toISOString(),
        result: cached.result,
      });
    }
    return entries;
  }

  async #walk(root: string, dir: string, depth: number, out: string[]): Promise<void> {
    let children: Dirent[];
    try {
      children = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const child of children) {
      if (child.name.startsWith('.')) continue;
      let path = join(dir, child.name);
      let isDir = child.isDirectory();
      if (child.isSymbolicLink()) {
        const real = await realpath(path).catch(() => null);
        // Same rule as model resolution: a link that leaves the models directory does not exist for plans.
        if (real === null || !real.startsWith(root + sep)) continue;
        const info = await stat(real);
        isDir = info.isDirectory();
        if (!isDir && !info.isFile()) continue;
        if (isDir) path = real;
      } else if (!isDir && !child.isFile()) {
        continue;
      }
      if (isDir) {
        if (depth < MAX_DEPTH) await this.#walk(root, path, depth + 1, out);
      } else {
        out.push(path);
      }
    }
  }
}
