import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { homedir } from 'node:os';
import { buildThreadPoolShim, ThreadPoolShimBuildError } from '../engine/threadpool-shim.js';
import {
  BuildToolMissingError,
  buildLocalLlama,
  LOCAL_BUILD_GPUS,
  type LocalBuildGpu,
} from './local-build.js';

export const BUILD_HELP = `Usage: rigbench-agent build [--gpu false|cuda|vulkan] [--skip-compile]
       rigbench-agent build --thread-pool-only [--native-dir DIR]

Builds node-llama-cpp's bundled llama.cpp release on this node (offline, with this node's cmake and C++
compiler; the CUDA toolkit or glslc + Vulkan headers for GPU builds). Plans then measure it against the
prebuilt binaries with the matrix axis  build: [prebuilt, local]  and the fingerprint records which ran
(llamaBuild.type, and llama.cpp's system info line).

A CPU build takes about 15 minutes on 2 cores. Rebuild after upgrading rigbench (node-llama-cpp).

Every build then compiles the thread-pool shim (seconds; C compiler and git), which gives each llama.cpp
context a persistent ggml thread pool as llama-bench does (agent config worker.threadPool). The agent builds
it by itself when it first needs it; build it here for an image or a node whose agent has no compiler.

Options:
  --gpu <gpu>       false (CPU only, the default), cuda or vulkan
  --skip-compile    unpack the llama.cpp source only (seconds), do not compile
  --thread-pool-only
                    build only the thread-pool shim
  --native-dir DIR  where the shim goes (default ~/.rigbench/native, the agent's worker.nativeDir)
  -h, --help        this text

Exit codes: 0 built, 1 the build failed, 2 bad arguments or a missing build tool (named).
`;

/** `rigbench-agent build …`: returns the exit code. */
export async function runBuildCommand(
  argv: readonly string[],
  io: { out: (line: string) => void; err: (line: string) => void; signal: AbortSignal },
): Promise<number> {
  let values: {
    gpu?: string;
    'skip-compile'?: boolean;
    'thread-pool-only'?: boolean;
    'native-dir'?: string;
    help?: boolean;
  };
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        gpu: { type: 'string', default: 'false' },
        'skip-compile': { type: 'boolean', default: false },
        'thread-pool-only': { type: 'boolean', default: false },
        'native-dir': { type: 'string', default: join(homedir(), '.rigbench', 'native') },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    io.err(`rigbench-agent build: ${(error as Error).message} (see rigbench-agent build --help)`);
    return 2;
  }
  if (values.help) {
    io.out(BUILD_HELP.trimEnd());
    return 0;
  }
  const gpu = values.gpu ?? 'false';
  if (!(LOCAL_BUILD_GPUS as readonly string[]).includes(gpu)) {
    io.err(`rigbench-agent build: --gpu '${gpu}' is not one of ${LOCAL_BUILD_GPUS.join(', ')}`);
    return 2;
  }
  const skipCompile = values['skip-compile'] === true;
  const buildShim = async (): Promise<void> => {
    const shim = await buildThreadPoolShim(values['native-dir'] as string, { signal: io.signal });
    io.out(`rigbench-agent build: thread-pool shim ${shim}`);
  };
  try {
    if (values['thread-pool-only'] === true) {
      await buildShim();
      return 0;
    }
    const seconds = await buildLocalLlama({
      gpu: gpu as LocalBuildGpu,
      skipCompile,
      onLine: (line) => io.out(`  ${line}`),
      signal: io.signal,
    });
    io.out(
      skipCompile
        ? `rigbench-agent build: llama.cpp source unpacked in ${seconds.toFixed(1)} s (not compiled)`
        : `rigbench-agent build: local build (gpu ${gpu}) done in ${seconds.toFixed(0)} s; ` +
            'plans select it with  matrix: { build: [local] }',
    );
    await buildShim();
    return 0;
  } catch (error) {
    io.err(`rigbench-agent build: ${(error as Error).message}`);
    return error instanceof BuildToolMissingError || error instanceof ThreadPoolShimBuildError ? 2 : 1;
  }
}
