/**
 * The persistent ggml thread pool for inference workers (`worker.threadPool` in the agent's config).
 *
 * node-llama-cpp never attaches a thread pool to its contexts and its prebuilt binaries have no OpenMP, so at 2+
 * threads ggml creates and joins helper threads for every graph: one `clone3` per generated token, and a wake-up of
 * a fresh thread on another CPU each time. llama-bench attaches one pool per test. `native/ggml-threadpool-shim.c`
 * does the same inside the worker (preloaded with `LD_PRELOAD`); this module compiles it once per llama.cpp
 * release with the node's C compiler, against that release's headers (unpacked from the git bundle node-llama-cpp
 * ships), and caches the library. docs/measurement.md ("Threads") has the figures.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ThreadPoolFacts } from '@rigbench/shared';
import { nodeLlamaCppPackageDir } from './versions.js';

/** `attached`: every context gets a persistent pool; `per-graph`: ggml's own threads; `auto`: attached where the shim builds. */
export const THREAD_POOL_MODES = ['auto', 'attached', 'per-graph'] as const;
export type ThreadPoolMode = (typeof THREAD_POOL_MODES)[number];

/** The shim could not be built; the message names what is missing and how to get it. */
export class ThreadPoolShimBuildError extends Error {
  override name = 'ThreadPoolShimBuildError';
  constructor(message: string, options?: ErrorOptions) {
    super(`cannot build the ggml thread-pool shim: ${message}`, options);
  }
}

/** The variable the worker sets to the file where the shim appends what it attached. */
export const THREAD_POOL_REPORT_ENV = 'RIGBENCH_THREADPOOL_REPORT';

const shimSource = fileURLToPath(new URL('../../native/ggml-threadpool-shim.c', import.meta.url));
const HEADER_DIRS = ['include', 'ggml/include'];

function run(command: string, args: string[], signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      stdio: ['ignore', 'ignore', 'pipe'],
      ...(signal ? { signal } : {}),
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new ThreadPoolShimBuildError(`${command} is not on the PATH`, { cause: error })
          : error,
      ),
    );
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(
            new ThreadPoolShimBuildError(`${command} ${args[0] ?? ''} exited with ${code}: ${stderr.trim()}`),
          ),
    );
  });
}

/**
 * The llama.cpp headers of the bundled release: node-llama-cpp's unpacked source when `source download` ran,
 * else a checkout of just the header folders from `llama/gitRelease.bundle` into `workDir`.
 */
async function releaseHeaders(workDir: string, signal?: AbortSignal): Promise<string> {
  const llamaDir = join(nodeLlamaCppPackageDir(), 'llama');
  const unpacked = join(llamaDir, 'llama.cpp');
  if (existsSync(join(unpacked, 'include', 'llama.h'))) return unpacked;
  const bundle = join(llamaDir, 'gitRelease.bundle');
  if (!existsSync(bundle))
    throw new ThreadPoolShimBuildError(`${bundle} is missing (reinstall node-llama-cpp with npm ci)`);
  const checkout = join(workDir, 'llama.cpp');
  await run('git', ['clone', '--quiet', '--no-checkout', bundle, checkout], signal);
  await run('git', ['-C', checkout, 'checkout', '--quiet', 'HEAD', '--', ...HEADER_DIRS], signal);
  return checkout;
}

/**
 * The shim's file name: a hash of its source and of the node-llama-cpp package that ships the release (its
 * version and `llama/binariesGithubRelease.json`), so an upgrade or a new shim builds anew, and a cached build is
 * found without the compiler or the headers (a container image ships it prebuilt).
 */
async function shimFileName(): Promise<string> {
  const packageDir = nodeLlamaCppPackageDir();
  const hash = createHash('sha256').update(await readFile(shimSource));
  for (const file of ['package.json', join('llama', 'binariesGithubRelease.json')]) {
    const path = join(packageDir, file);
    hash.update(existsSync(path) ? await readFile(path) : file);
  }
  return `ggml-threadpool-shim-${hash.digest('hex').slice(0, 16)}.so`;
}

/**
 * Builds the shim into `nativeDir` unless it is there already, and resolves to its path. Concurrent builds are
 * safe: each compiles in its own temporary folder and renames the result into place.
 */
export async function buildThreadPoolShim(
  nativeDir: string,
  options: { compiler?: string; signal?: AbortSignal } = {},
): Promise<string> {
  const { signal } = options;
  const target = join(nativeDir, await shimFileName());
  if (existsSync(target)) return target;
  await mkdir(nativeDir, { recursive: true });
  const work = await mkdtemp(join(nativeDir, '.build-'));
  try {
    const headers = await releaseHeaders(work, signal);
    const built = join(work, 'shim.so');
    const compiler = options.compiler ?? process.env.CC ?? 'cc';
    await run(
      compiler,
      [
        '-O2',
        '-shared',
        '-fPIC',
        ...HEADER_DIRS.map((dir) => `-I${join(headers, dir)}`),
        shimSource,
        '-o',
        built,
        '-ldl',
        '-lpthread',
      ],
      signal,
    );
    await rename(built, target);
    return target;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** `LD_PRELOAD` with the shim in front of what the environment already preloads. */
export function preloadWith(shim: string, env: NodeJS.ProcessEnv): string {
  return env.LD_PRELOAD ? `${shim}:${env.LD_PRELOAD}` : shim;
}

/** The shim's line for the newest context in a report (`attached …` or `none …`; `freed` lines skipped). */
function lastReportLine(text: string): string | null {
  const lines = text.split('\n').filter((line) => line.startsWith('attached ') || line.startsWith('none '));
  return lines.at(-1) ?? null;
}

/**
 * What the shim reported for the newest context (the last line of its report file), or why there is no pool:
 * `none <reason>` lines from the shim, no line at all when the shim was not loaded.
 */
export function parseThreadPoolReport(text: string, notLoadedReason: string): ThreadPoolFacts {
  const last = lastReportLine(text);
  if (last == null) return { mode: 'per-graph', reason: notLoadedReason };
  const [word, ...rest] = last.split(' ');
  if (word === 'none') return { mode: 'per-graph', reason: `the shim attached none: ${rest.join(' ')}` };
  const [threads, poll] = rest.map(Number);
  return { mode: 'attached', threads: threads ?? 0, poll: poll ?? 0 };
}

/** How workers get their thread pool: the agent's `worker.threadPool` and where the shim is built. */
export interface ThreadPoolOptions {
  mode: ThreadPoolMode;
  /** Folder of the built shim (one file per shim and llama.cpp release). */
  nativeDir: string;
  /** C compiler; default `$CC`, else `cc`. */
  compiler?: string;
}

/** The shim to preload (null: none) and, when none, why, for the fingerprint. */
export interface ThreadPoolChoice {
  shim: string | null;
  reason: string;
}

/**
 * Resolves `worker.threadPool`: `per-graph` preloads nothing; `attached` builds the shim or fails (every case
 * then fails with the build error); `auto` builds it and falls back to per-graph with the reason logged.
 */
export async function chooseThreadPool(
  options: ThreadPoolOptions | undefined,
  warn: (message: string, meta: Record<string, unknown>) => void,
): Promise<ThreadPoolChoice> {
  if (options == null || options.mode === 'per-graph')
    return { shim: null, reason: 'worker.threadPool is per-graph' };
  try {
    const shim = await buildThreadPoolShim(
      options.nativeDir,
      options.compiler != null ? { compiler: options.compiler } : {},
    );
    return { shim, reason: '' };
  } catch (error) {
    if (options.mode === 'attached') throw error;
    const message = error instanceof Error ? error.message : String(error);
    warn('thread-pool shim unavailable; workers use ggml per-graph threads', { error: message });
    return { shim: null, reason: `worker.threadPool auto: ${message}` };
  }
}

/**
 * In the worker: points the shim at a report file of this process (the shim reads the variable when a context is
 * created, so setting it before any is enough), removes it at exit, and returns a reader of the newest context's
 * line (`attached 2 50`, `none …`), null when the shim wrote none (not preloaded). Read once per case, outside the
 * timed region.
 */
export function threadPoolReportReader(): () => string | null {
  const report = join(tmpdir(), `rigbench-threadpool-${process.pid}.log`);
  rmSync(report, { force: true });
  process.env[THREAD_POOL_REPORT_ENV] = report;
  process.on('exit', () => rmSync(report, { force: true }));
  return () => {
    return existsSync(report) ? lastReportLine(readFileSync(report, 'utf8')) : null;
  };
}
