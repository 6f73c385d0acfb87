/**
 * Plain reasons for a GPU backend that does not load. node-llama-cpp only says `NoBinaryFoundError` when none of its
 * builds for a GPU type load; the usual cause is a shared library the prebuilt binary needs and the system lacks
 * (`libcuda.so.1` is the NVIDIA driver itself). `ldd` on the prebuilt library names them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { Backend } from '@rigbench/shared';

/** Prebuilt packages of node-llama-cpp per GPU backend on this platform, and the ggml library to inspect. */
const PREBUILT: Partial<Record<Backend, { packageName: string; library: string }>> = {
  cuda: {
    packageName: `@node-llama-cpp/${process.platform}-${process.arch}-cuda`,
    library: 'libggml-cuda.so',
  },
  vulkan: {
    packageName: `@node-llama-cpp/${process.platform}-${process.arch}-vulkan`,
    library: 'libggml-vulkan.so',
  },
};

/** What each missing library means, in the words a user would search for. */
const LIBRARY_MEANING: readonly { pattern: RegExp; meaning: string }[] = [
  { pattern: /^libcuda\.so/, meaning: 'no NVIDIA driver' },
  { pattern: /^libnvidia-ml\.so/, meaning: 'no NVIDIA driver' },
  { pattern: /^lib(cudart|cublas|cublasLt)\.so/, meaning: 'no CUDA runtime' },
  { pattern: /^libvulkan\.so/, meaning: 'no Vulkan loader (Debian: libvulkan1)' },
];

/** Libraries `ldd` output lists as `=> not found`. */
export function missingLibrariesFromLdd(lddOutput: string): string[] {
  const missing: string[] = [];
  for (const line of lddOutput.split('\n')) {
    const match = /^\s*(\S+)\s+=>\s+not found/.exec(line);
    if (match?.[1] && !missing.includes(match[1])) missing.push(match[1]);
  }
  return missing;
}

/** `no NVIDIA driver (libcuda.so.1 not found); no CUDA runtime (libcublas.so.13 not found)`. */
export function describeMissingLibraries(missing: readonly string[]): string {
  const byMeaning = new Map<string, string[]>();
  for (const library of missing) {
    const meaning =
      LIBRARY_MEANING.find((entry) => entry.pattern.test(library))?.meaning ?? 'missing library';
    byMeaning.set(meaning, [...(byMeaning.get(meaning) ?? []), library]);
  }
  const rank = (meaning: string): number => {
    const index = LIBRARY_MEANING.findIndex((entry) => entry.meaning === meaning);
    return index < 0 ? LIBRARY_MEANING.length : index;
  };
  return [...byMeaning]
    .sort(([a], [b]) => rank(a) - rank(b))
    .map(([meaning, libraries]) => `${meaning} (${libraries.join(', ')} not found)`)
    .join('; ');
}

async function prebuiltLibraryPath(backend: Backend): Promise<string | null> {
  const prebuilt = PREBUILT[backend];
  if (!prebuilt) return null;
  try {
    const module = (await import(prebuilt.packageName)) as { getBinsDir(): { binsDir: string } };
    const dir = join(module.getBinsDir().binsDir, `${process.platform}-${process.arch}-${backend}`);
    const library = join(dir, prebuilt.library);
    return existsSync(library) ? library : null;
  } catch {
    return null;
  }
}

function ldd(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile('ldd', [file], { timeout: 10_000 }, (error, stdout) =>
      resolve(error && !stdout ? null : stdout),
    );
  });
}

/** Where the Vulkan loader looks for driver manifests on Linux (besides `XDG_DATA_DIRS`). */
export const VULKAN_ICD_DIRS = [
  '/usr/share/vulkan/icd.d',
  '/usr/local/share/vulkan/icd.d',
  '/etc/vulkan/icd.d',
];

function jsonFilesIn(dir: string): string[] {
  try {
    return readdirSync(dir).filter((name) => name.endsWith('.json'));
  } catch {
    return [];
  }
}

/**
 * Why the Vulkan loader has no device to offer, for a Vulkan build whose libraries are all there but which did not
 * load: no driver manifest (ICD) at all, manifests named by `VK_ICD_FILENAMES` / `VK_DRIVER_FILES` that do not
 * exist, or drivers that report no device on this machine (node-llama-cpp refuses a Vulkan build without one).
 */
export function vulkanDriverProblem(
  env: NodeJS.ProcessEnv,
  dirs: readonly string[] = VULKAN_ICD_DIRS,
): string {
  const named = env.VK_DRIVER_FILES ?? env.VK_ICD_FILENAMES;
  let manifests: string[];
  if (named) {
    const files = named.split(':').filter((file) => file !== '');
    manifests = files.filter((file) => existsSync(file));
    if (manifests.length === 0)
      return `vulkan: the Vulkan loader found no driver: VK_ICD_FILENAMES/VK_DRIVER_FILES names ${files.join(', ')}, which does not exist`;
  } else {
    manifests = dirs.flatMap((dir) => jsonFilesIn(dir).map((name) => join(dir, name)));
    if (manifests.length === 0)
      return (
        `vulkan: the Vulkan loader found no driver (no ICD manifest in ${dirs.join(', ')}); install the GPU's ` +
        'Vulkan driver (Debian: mesa-vulkan-drivers, nvidia-driver)'
      );
  }
  return `vulkan: the Vulkan loader found no device (its drivers: ${manifests.map((file) => basename(file)).join(', ')})`;
}

/**
 * Why `backend` does not load here, or null when this cannot tell (the caller keeps node-llama-cpp's error).
 * `metal` outside macOS is said as such; for CUDA and Vulkan the prebuilt library's missing dependencies are named,
 * and for Vulkan a loader without any driver. `env` is the workers' environment.
 */
export async function diagnoseBackend(
  backend: Backend,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | null> {
  if (backend === 'metal' && process.platform !== 'darwin') return 'metal: only available on macOS';
  const library = await prebuiltLibraryPath(backend);
  if (library == null) {
    return PREBUILT[backend]
      ? `${backend}: node-llama-cpp's prebuilt ${backend} binary (${PREBUILT[backend].packageName}) is not installed`
      : null;
  }
  if (process.platform !== 'linux') return null;
  const output = await ldd(library);
  if (output == null) return null;
  const missing = missingLibrariesFromLdd(output);
  if (missing.length > 0) return `${backend}: ${describeMissingLibraries(missing)}`;
  return backend === 'vulkan' ? vulkanDriverProblem(env) : null;
}
