/**
 * The persistent ggml thread pool (`worker.threadPool`): the shim really compiled with the node's C compiler
 * against the bundled release's headers, really preloaded into real worker processes, and what each context got
 * as the shim reported it. Needs `npx tsc -b` (workers run dist/engine/worker.js) and a C compiler (CI installs
 * g++, which brings cc).
 */
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureSynthModel } from '@rigbench/shared';
import type { BenchCase, Fingerprint } from '@rigbench/shared';
import { InferenceEngine } from './inference-engine.js';
import type { EngineEventPayload } from './inference-engine.js';
import {
  buildThreadPoolShim,
  parseThreadPoolReport,
  preloadWith,
  ThreadPoolShimBuildError,
} from './threadpool-shim.js';
import type { ThreadPoolOptions } from './threadpool-shim.js';

const MODELS_DIR = path.join(os.tmpdir(), 'rigbench-test-models');
let dir: string;

function rawCase(index: number, threads: number): BenchCase {
  return {
    index,
    caseId: `t${threads}-${index}`,
    model: { id: 'tiny', source: 'tiny.gguf' },
    backend: 'cpu',
    devices: [],
    gpuLayers: 0,
    contextSize: 256,
    batchSize: 64,
    threads,
    flashAttention: false,
    kvCacheType: 'f16',
    workload: { mode: 'raw', test: { id: 'tg16', promptTokens: 0, generatedTokens: 16, depth: 0 } },
    generation: { maxTokens: 16, temperature: 0, topK: 1, topP: 1, seed: 1, ignoreEos: true },
    warmup: 0,
    repetitions: 2,
  };
}

/** Runs the cases and returns each case's fingerprint, failing on any case that did not finish ok. */
async function fingerprints(threadPool: ThreadPoolOptions | undefined, cases: BenchCase[]) {
  const engine = new InferenceEngine({
    resolveModelPath: async (source) => path.join(dir, source),
    caseTimeoutMs: 120_000,
    hashCacheFile: path.join(dir, 'sha256-cache.json'),
    energy: false,
    ...(threadPool ? { threadPool } : {}),
  });
  const found: Fingerprint[] = [];
  const events: EngineEventPayload[] = [];
  for await (const event of engine.run(cases, new AbortController().signal)) {
    events.push(event);
    if (event.type === 'case.started') found.push(event.fingerprint);
  }
  const failed = events.filter((e) => e.type === 'case.finished' && e.outcome !== 'ok');
  expect(failed).toEqual([]);
  expect(events.filter((e) => e.type === 'sample.recorded')).toHaveLength(cases.length * 2);
  return found;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rigbench-threadpool-'));
  await copyFile(await ensureSynthModel(MODELS_DIR, 'tiny', { type: 'q8_0' }), path.join(dir, 'tiny.gguf'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('thread pool - attached: every context of a real worker gets a persistent pool of its threads', async () => {
  const nativeDir = path.join(dir, 'native');
  const found = await fingerprints({ mode: 'attached', nativeDir }, [rawCase(0, 2), rawCase(1, 1)]);
  // ggml's default pool parameters, as llama-bench uses them: poll level 50.
  expect(found.map((fp) => fp.threadPool)).toEqual([
    { mode: 'attached', threads: 2, poll: 50 },
    { mode: 'attached', threads: 1, poll: 50 },
  ]);
  // Built once, into the configured folder, named after the shim and release headers; no build leftovers.
  expect(await readdir(nativeDir)).toEqual([
    expect.stringMatching(/^ggml-threadpool-shim-[0-9a-f]{16}\.so$/),
  ]);
});

test('thread pool - per-graph and a failed auto build both say why the context has no pool', async () => {
  const perGraph = await fingerprints({ mode: 'per-graph', nativeDir: path.join(dir, 'unused') }, [
    rawCase(0, 2),
  ]);
  expect(perGraph[0]?.threadPool).toEqual({ mode: 'per-graph', reason: 'worker.threadPool is per-graph' });

  const auto = await fingerprints(
    { mode: 'auto', nativeDir: path.join(dir, 'no-cc'), compiler: 'rigbench-no-such-cc' },
    [rawCase(0, 2)],
  );
  expect(auto[0]?.threadPool).toEqual({
    mode: 'per-graph',
    reason: expect.stringMatching(/^worker\.threadPool auto: .*rigbench-no-such-cc is not on the PATH/),
  });
});

test('thread pool - attached with no compiler fails the case with the build error, measuring nothing', async () => {
  const engine = new InferenceEngine({
    resolveModelPath: async (source) => path.join(dir, source),
    caseTimeoutMs: 60_000,
    hashCacheFile: path.join(dir, 'sha256-cache.json'),
    energy: false,
    threadPool: { mode: 'attached', nativeDir: path.join(dir, 'no-cc-2'), compiler: 'rigbench-no-such-cc' },
  });
  const events: EngineEventPayload[] = [];
  for await (const event of engine.run([rawCase(0, 2)], new AbortController().signal)) events.push(event);
  expect(events.filter((e) => e.type === 'sample.recorded')).toEqual([]);
  const finished = events.find((e) => e.type === 'case.finished');
  expect(finished).toMatchObject({
    outcome: 'failed',
    reason: expect.stringContaining(
      'cannot build the ggml thread-pool shim: rigbench-no-such-cc is not on the PATH',
    ),
  });
});

test('thread pool - a build with no compiler rejects with a typed error naming the compiler', async () => {
  await expect(
    buildThreadPoolShim(path.join(dir, 'typed'), { compiler: 'rigbench-no-such-cc' }),
  ).rejects.toBeInstanceOf(ThreadPoolShimBuildError);
});

test('thread pool - report lines and LD_PRELOAD composition', () => {
  expect(parseThreadPoolReport('attached 2 50\nfreed\nattached 4 50\n', 'x')).toEqual({
    mode: 'attached',
    threads: 4,
    poll: 50,
  });
  expect(parseThreadPoolReport('attached 2 50\nnone too many live contexts\n', 'x')).toEqual({
    mode: 'per-graph',
    reason: 'the shim attached none: too many live contexts',
  });
  expect(parseThreadPoolReport('freed\n', 'not preloaded')).toEqual({
    mode: 'per-graph',
    reason: 'not preloaded',
  });
  expect(preloadWith('/a/shim.so', {})).toBe('/a/shim.so');
  expect(preloadWith('/a/shim.so', { LD_PRELOAD: '/b/other.so' })).toBe('/a/shim.so:/b/other.so');
});
