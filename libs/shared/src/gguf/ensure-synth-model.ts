import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { SynthPresetName } from './synth-presets.js';
import {
  SYNTH_DEFAULT_SEED,
  SYNTH_DEFAULT_TYPE,
  synthModelSizeBytes,
  synthesizeGguf,
} from './synthesize-model.js';
import type { SynthTensorType } from './synthesize-model.js';

/** Options of {@link ensureSynthModel}. */
export interface EnsureSynthModelOptions {
  /** PRNG seed; default {@link SYNTH_DEFAULT_SEED}. */
  readonly seed?: number;
  /** Matrix type; default {@link SYNTH_DEFAULT_TYPE}. */
  readonly type?: SynthTensorType;
  /** Cancels a write in progress (the partial file is removed). */
  readonly signal?: AbortSignal;
}

/** File name a synthetic model gets in {@link ensureSynthModel}'s directory, e.g. `synth-small-f16-s1.gguf`. */
export function synthModelFileName(preset: SynthPresetName, options: EnsureSynthModelOptions = {}): string {
  const { seed = SYNTH_DEFAULT_SEED, type = SYNTH_DEFAULT_TYPE } = options;
  return `synth-${preset}-${type}-s${seed}.gguf`;
}

/**
 * Returns the path of a synthetic model in `dir` (created if missing), writing it only when no file of the
 * expected size is there yet: tests, demos and benchmarks share one copy. Safe to call concurrently from
 * several processes, as the synthesizer writes atomically and every writer produces the same bytes.
 */
export async function ensureSynthModel(
  dir: string,
  preset: SynthPresetName,
  options: EnsureSynthModelOptions = {},
): Promise<string> {
  const { seed = SYNTH_DEFAULT_SEED, type = SYNTH_DEFAULT_TYPE, signal } = options;
  const path = join(dir, synthModelFileName(preset, { seed, type }));
  const expected = synthModelSizeBytes(preset, type, seed);
  const existing = await stat(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
  if (existing?.isFile() && existing.size === expected) return path;
  await mkdir(dir, { recursive: true });
  await synthesizeGguf({ outFile: path, preset, seed, type, signal });
  return path;
}
