/**
 * `rigbench-agent build`: node-llama-cpp's own source build of its bundled llama.cpp release, offline (the
 * release ships as a git bundle inside the package), with the node's cmake and compiler. Cases ask for it with
 * the plan's `build: [local]` axis, so "is a local build worth it on my box?" is a measurement like any other.
 * A full CPU build takes about 15 minutes on 2 cores; `--skip-compile` only unpacks the source.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { nodeLlamaCppPackageDir } from '../engine/versions.js';

/** What the build is for: node-llama-cpp's `--gpu` values rigbench supports. */
export const LOCAL_BUILD_GPUS = ['false', 'cuda', 'vulkan'] as const;
export type LocalBuildGpu = (typeof LOCAL_BUILD_GPUS)[number];

/** A tool the build needs is missing; the message names it and the Debian package that has it. */
export class BuildToolMissingError extends Error {
  override name = 'BuildToolMissingError';
  constructor(tools: readonly string[], options?: ErrorOptions) {
    super(`cannot build: ${tools.join('; ')}`, options);
  }
}

export interface LocalBuildOptions {
  gpu: LocalBuildGpu;
  /** Unpack the source only (seconds), no compile. */
  skipCompile: boolean;
  /** One progress line (ANSI codes removed, repeats dropped). */
  onLine: (line: string) => void;
  signal?: AbortSignal;
  /** Environment for the checks and the build (default: the process's). */
  env?: NodeJS.ProcessEnv;
}

/** Where node-llama-cpp's CLI lives (`node-llama-cpp/dist/cli/cli.js`). */
export function nodeLlamaCppCli(): string {
  return join(nodeLlamaCppPackageDir(), 'dist', 'cli', 'cli.js');
}

function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { env, stdio: 'ignore' }).status === 0;
}

/** What is missing for this build, as "X (Debian: package)" lines; empty when everything is there. */
export function missingBuildTools(gpu: LocalBuildGpu, skipCompile: boolean, env = process.env): string[] {
  const missing: string[] = [];
  if (!onPath('git', env)) missing.push('git is not on the PATH (Debian: git)');
  if (skipCompile) return missing;
  if (!onPath('cmake', env)) missing.push('cmake is not on the PATH (Debian: cmake)');
  if (!onPath('c++', env) && !onPath('g++', env) && !onPath('clang++', env))
    missing.push('no C++ compiler on the PATH (Debian: g++)');
  if (
    gpu === 'cuda' &&
    !onPath('nvcc', env) &&
    !existsSync(join(env.CUDA_PATH ?? '/usr/local/cuda', 'bin', 'nvcc'))
  )
    missing.push('the CUDA toolkit (nvcc) is not on the PATH nor in CUDA_PATH (NVIDIA CUDA toolkit)');
  if (gpu === 'vulkan') {
    if (!onPath('glslc', env)) missing.push('glslc, the shader compiler, is not on the PATH (Debian: glslc)');
    if (!existsSync('/usr/include/vulkan/vulkan.h'))
      missing.push('the Vulkan headers are missing (Debian: libvulkan-dev)');
  }
  return missing;
}

/** Drops terminal control sequences of node-llama-cpp's progress display. */
function plainLines(chunk: string): string[] {
  // eslint-disable-next-line no-control-regex
  const text = chunk.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r/g, '\n');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

/**
 * Runs `node-llama-cpp source download --gpu G` (from the bundled git release; `--skipBuild` with
 * `skipCompile`). Resolves to the elapsed seconds; rejects with {@link BuildToolMissingError} before starting when
 * a tool is missing, or with an error naming the exit code when the build fails. Aborting kills the build.
 */
export async function buildLocalLlama(options: LocalBuildOptions): Promise<number> {
  const env = options.env ?? process.env;
  const missing = missingBuildTools(options.gpu, options.skipCompile, env);
  if (missing.length > 0) throw new BuildToolMissingError(missing);
  const args = [nodeLlamaCppCli(), 'source', 'download', '--gpu', options.gpu, '--noUsageExample'];
  if (options.skipCompile) args.push('--skipBuild');
  const started = performance.now();
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let last = '';
  const forward = (chunk: Buffer): void => {
    for (const line of plainLines(chunk.toString('utf8'))) {
      // The progress display redraws the same line many times; one of each is enough in a log.
      if (line === last || /^\d+s left$/.test(line)) continue;
      last = line;
      options.onLine(line);
    }
  };
  child.stdout.on('data', forward);
  child.stderr.on('data', forward);
  const onAbort = (): void => void child.kill('SIGTERM');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const code = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (exitCode) => resolve(exitCode));
    });
    if (options.signal?.aborted) throw new Error('build cancelled');
    if (code !== 0) throw new Error(`node-llama-cpp source download exited with code ${String(code)}`);
    return (performance.now() - started) / 1000;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}
