/**
 * Real inference in real worker processes on the tiny synthetic model (needs `npx tsc -b`: workers run the
 * compiled dist/engine/worker.js).
 */
import { copyFile, mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSynthModel } from '@rigbench/shared';
import type {
  BenchCase,
  CaseFinishedEvent,
  EventPayload,
  GenerationSettings,
  Sample,
} from '@rigbench/shared';
import { InferenceEngine } from './inference-engine.js';
import type { EngineEventPayload } from './inference-engine.js';
import { inspectModelFile } from './model-file.js';
import { CorruptModelFileError, NotGgufFileError, TruncatedModelFileError } from './engine-errors.js';

const MODELS_DIR = path.join(os.tmpdir(), 'rigbench-test-models');
let dir: string;
let tinyPath: string;
let engine: InferenceEngine;
const spawned: number[] = [];

const generation: GenerationSettings = {
  maxTokens: 12,
  temperature: 0.7,
  topK: 40,
  topP: 0.9,
  seed: 7,
  ignoreEos: true,
};

function benchCase(index: number, overrides: Partial<BenchCase> = {}): BenchCase {
  return {
    index,
    caseId: `c${index}`,
    model: { id: 'tiny', source: 'tiny.gguf' },
    backend: 'cpu',
    devices: [],
    gpuLayers: 0,
    contextSize: 1024,
    batchSize: 256,
    threads: 1,
    flashAttention: false,
    kvCacheType: 'f16',
    workload: {
      mode: 'raw',
      test: { id: 'pp64-tg32-d16', promptTokens: 64, generatedTokens: 32, depth: 16 },
    },
    generation,
    warmup: 1,
    repetitions: 3,
    ...overrides,
  };
}

/** A raw case long enough to be interrupted (thousands of repetitions of tg512). */
function longCase(index: number): BenchCase {
  return benchCase(index, {
    workload: { mode: 'raw', test: { id: 'tg512', promptTokens: 0, generatedTokens: 512, depth: 0 } },
    warmup: 0,
    repetitions: 100_000,
  });
}

async function collect(run: AsyncIterable<EngineEventPayload>, onEvent?: (e: EngineEventPayload) => void) {
  const events: EngineEventPayload[] = [];
  for await (const event of run) {
    events.push(event);
    onEvent?.(event);
  }
  return events;
}

const finishedOf = (events: EngineEventPayload[], caseId: string) =>
  events.find(
    (e): e is Extract<EngineEventPayload, { type: 'case.finished' }> =>
      e.type === 'case.finished' && e.caseId === caseId,
  );
const samplesOf = (events: EngineEventPayload[], caseId: string): Sample[] =>
  events.flatMap((e) => (e.type === 'sample.recorded' && e.caseId === caseId ? [e.sample] : []));

function newEngine(caseTimeoutMs = 60_000): InferenceEngine {
  return new InferenceEngine({
    resolveModelPath: async (source) => path.join(dir, source),
    caseTimeoutMs,
    hashCacheFile: path.join(dir, 'sha256-cache.json'),
    onWorkerSpawn: (pid) => spawned.push(pid),
  });
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'rigbench-engine-'));
  tinyPath = path.join(dir, 'tiny.gguf');
  await copyFile(await ensureSynthModel(MODELS_DIR, 'tiny', { type: 'q8_0' }), tinyPath);
  await copyFile(tinyPath, path.join(dir, 'tiny-copy.gguf'));
  engine = newEngine();
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  spawned.length = 0;
});

const closeTo = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(expected)));
};

test('engine - build axis: a local case on a node without a local build is skipped, naming rigbench-agent build', async () => {
  const hasLocalBuild = existsSync(
    path.join(
      path.dirname(fileURLToPath(import.meta.resolve('node-llama-cpp'))),
      '..',
      'llama',
      'localBuilds',
    ),
  );
  const events = await collect(
    engine.run(
      [
        benchCase(0, { build: 'local', repetitions: 1, warmup: 0 }),
        benchCase(2, { build: 'local', contextSize: 512, repetitions: 1, warmup: 0 }),
        benchCase(1, { repetitions: 1, warmup: 0 }),
      ],
      new AbortController().signal,
    ),
  );
  const finishedOf = (caseId: string) =>
    events.find((e) => e.type === 'case.finished' && e.caseId === caseId) as
      Extract<EngineEventPayload, { type: 'case.finished' }> | undefined;
  if (hasLocalBuild) {
    // A developer machine after `rigbench-agent build`: the local case runs on it and says so.
    expect(finishedOf('c0')?.outcome).toBe('ok');
  } else {
    expect(finishedOf('c0')).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('rigbench-agent build --gpu false'),
    });
    // The next case of the same load is skipped for the same reason without another worker trying the load:
    // one worker for the local attempt, one for the prebuilt case.
    expect(finishedOf('c2')).toEqual(
      expect.objectContaining({ outcome: 'skipped', reason: finishedOf('c0')?.reason }),
    );
    expect(spawned).toHaveLength(2);
  }
  // The prebuilt case after it loads its own worker and runs.
  expect(finishedOf('c1')?.outcome).toBe('ok');
  const started = events.find((e) => e.type === 'case.started' && e.caseId === 'c1');
  if (started?.type !== 'case.started') throw new Error('no case.started for c1');
  expect(started.fingerprint.llamaBuild?.type).toBe('prebuilt');
});

test('engine - raw mode records llama-bench style samples whose figures agree with each other', async () => {
  // 1000 is not a multiple of 256: llama.cpp rounds it up, and the fingerprint records what was used.
  const events = await collect(
    engine.run([benchCase(0, { contextSize: 1000 })], new AbortController().signal),
  );
  expect(events.map((e) => e.type)).toEqual([
    'case.started',
    'sample.recorded',
    'sample.recorded',
    'sample.recorded',
    'case.finished',
  ]);
  const started = events[0];
  if (started?.type !== 'case.started') throw new Error('no case.started');
  expect(started.modelReused).toBe(false);
  expect(started.modelLoadSeconds).toBeGreaterThan(0);
  expect(started.fingerprint).toMatchObject({
    backend: 'cpu',
    threads: 1,
    batchSize: 256,
    contextSize: 1024,
    gpus: [],
    driverVersion: null,
    // The worker runs with one libuv pool thread (2-thread decode penalty, docs/measurement.md), as it saw itself.
    workerUvThreadpoolSize: 1,
    // What really loaded: a case on the default build axis never silently runs on a local build.
    llamaBuild: { type: 'prebuilt', systemInfo: expect.stringContaining('CPU') },
    nodeLlamaCppVersion: expect.stringMatching(/^\d+\.\d+\.\d+/),
    llamaCppRelease: expect.any(String),
    model: { source: 'tiny.gguf', architecture: 'llama', quantization: 'Q8_0', trainedContextSize: 4096 },
  });
  expect(started.fingerprint.model.sha256).toMatch(/^[0-9a-f]{64}$/);
  expect(started.fingerprint.model.parameterCount).toBeGreaterThan(0);

  const samples = samplesOf(events, 'c0');
  expect(samples.map((s) => s.repetition)).toEqual([0, 1, 2]);
  for (const s of samples) {
    expect(s).toMatchObject({
      mode: 'raw',
      promptTokens: 64,
      generatedTokens: 32,
      threads: 1,
      batchSize: 256,
    });
    expect(s.finishReason).toBe('completed');
    closeTo(s.promptTokensPerSecond, 64 / s.promptSeconds);
    closeTo(s.decodeTokensPerSecond, 32 / s.decodeSeconds);
    expect(s.ttftSeconds).not.toBeNull();
    expect(s.ttftSeconds as number).toBeGreaterThan(s.promptSeconds);
    expect(s.ttftSeconds as number).toBeLessThanOrEqual(s.endToEndSeconds);
    closeTo(s.endToEndSeconds, s.promptSeconds + s.decodeSeconds);
    const itl = s.interTokenLatency;
    expect(itl).not.toBeNull();
    expect(itl!.p50).toBeGreaterThan(0);
    expect(itl!.p50).toBeLessThanOrEqual(itl!.p90);
    expect(itl!.p90).toBeLessThanOrEqual(itl!.p99);
    expect(s.vram).toBeNull();
    expect(s.workerPeakRssBytes).toBeGreaterThan(10 * 1024 * 1024);
    expect(s.modelLoadSeconds).toBe(started.modelLoadSeconds);
  }
  const times = samples.map((s) => Date.parse(s.startedAt));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  const finished = finishedOf(events, 'c0');
  expect(finished).toMatchObject({ outcome: 'ok', samples: 3 });
  expect(finished?.workerPeakRssBytes).toBeGreaterThan(0);
});

test('engine - chat mode applies the chat template and generates exactly maxTokens with ignoreEos', async () => {
  const chat = benchCase(0, {
    workload: { mode: 'chat', prompt: { id: 'q1', text: 'hello' } },
    repetitions: 2,
  });
  const events = await collect(engine.run([chat], new AbortController().signal));
  expect(finishedOf(events, 'c0')).toMatchObject({ outcome: 'ok', samples: 2 });
  const samples = samplesOf(events, 'c0');
  expect(samples).toHaveLength(2);
  for (const s of samples) {
    expect(s.mode).toBe('chat');
    expect(s.generatedTokens).toBe(12);
    expect(s.finishReason).toBe('maxTokens');
    // The ChatML template wraps the 1-word prompt in role markers.
    expect(s.promptTokens).toBeGreaterThan(5);
    closeTo(s.decodeTokensPerSecond, 11 / s.decodeSeconds);
    closeTo(s.promptTokensPerSecond, s.promptTokens / s.promptSeconds);
    expect(s.ttftSeconds).not.toBeNull();
    expect(s.ttftSeconds as number).toBeLessThanOrEqual(s.endToEndSeconds);
    closeTo(s.endToEndSeconds, (s.ttftSeconds as number) + s.decodeSeconds);
    expect(s.interTokenLatency!.p50).toBeLessThanOrEqual(s.interTokenLatency!.p99);
    expect(s.threads).toBe(1);
  }
  // Same seed, same prompt: the same answer length every repetition.
  expect(samples[0]?.promptTokens).toBe(samples[1]?.promptTokens);
});

test('engine - consecutive cases sharing load settings reuse one worker and one model load', async () => {
  const cases = [
    benchCase(0),
    benchCase(1, { workload: { mode: 'chat', prompt: { id: 'q2', text: 'what do you think of GPUs?' } } }),
    // Two threads on a busy 2-core box can be very slow (see threads.ts): keep this case small.
    benchCase(2, {
      threads: 2,
      workload: { mode: 'raw', test: { id: 'pp16-tg4', promptTokens: 16, generatedTokens: 4, depth: 0 } },
      warmup: 0,
      repetitions: 1,
    }),
    benchCase(3, { model: { id: 'tiny-copy', source: 'tiny-copy.gguf' }, repetitions: 1 }),
  ];
  const events = await collect(engine.run(cases, new AbortController().signal));
  const started = events.filter((e) => e.type === 'case.started');
  expect(started.map((e) => e.modelReused)).toEqual([false, true, true, false]);
  const loads = started.map((e) => e.modelLoadSeconds);
  expect(loads[1]).toBe(loads[0]);
  expect(loads[2]).toBe(loads[0]);
  expect(started[2]?.fingerprint.threads).toBe(2);
  expect(samplesOf(events, 'c2')[0]?.threads).toBe(2);
  expect(spawned).toHaveLength(2);
  expect(events.filter((e) => e.type === 'case.finished').map((e) => e.outcome)).toEqual([
    'ok',
    'ok',
    'ok',
    'ok',
  ]);
});

test('engine - a worker killed by SIGKILL mid-case fails that case with the signal; the next case runs', async () => {
  let killed = false;
  const events = await collect(
    engine.run([longCase(0), benchCase(1)], new AbortController().signal),
    (event) => {
      if (event.type === 'sample.recorded' && !killed) {
        killed = true;
        process.kill(engine.workerPid as number, 'SIGKILL');
      }
    },
  );
  const failed = finishedOf(events, 'c0');
  expect(failed?.outcome).toBe('failed');
  expect(failed?.reason).toMatch(/signal SIGKILL/);
  expect(failed?.samples).toBeGreaterThanOrEqual(1);
  expect(finishedOf(events, 'c1')).toMatchObject({ outcome: 'ok', samples: 3 });
  expect(spawned).toHaveLength(2);
});

test('engine - aborting the signal kills the worker, fails the case as cancelled and stops the run', async () => {
  const controller = new AbortController();
  const events = await collect(engine.run([longCase(0), benchCase(1)], controller.signal), (event) => {
    if (event.type === 'sample.recorded') controller.abort(new Error('user cancelled'));
  });
  const cancelled = finishedOf(events, 'c0');
  expect(cancelled?.outcome).toBe('failed');
  expect(cancelled?.reason).toMatch(/^cancelled/);
  expect(events.some((e) => 'caseId' in e && e.caseId === 'c1')).toBe(false);
  const pid = spawned[0] as number;
  expect(() => process.kill(pid, 0)).toThrow();
});

test('engine - a backend the node lacks is skipped, naming the backends it has', async () => {
  const cases = [
    benchCase(0, { backend: 'metal' }),
    benchCase(1, { backend: 'cuda', devices: [0] }),
    benchCase(2, { repetitions: 1 }),
  ];
  const events = await collect(engine.run(cases, new AbortController().signal));
  for (const id of ['c0', 'c1']) {
    const skipped = finishedOf(events, id);
    expect(skipped?.outcome).toBe('skipped');
    expect(skipped?.reason).toMatch(/is not available on this node \(it has: cpu/);
  }
  expect(finishedOf(events, 'c2')?.outcome).toBe('ok');
  expect(await engine.availableBackends()).toContain('cpu');
  const hardware = await engine.hardware();
  expect(hardware.cores.physical).toBeGreaterThanOrEqual(1);
  expect(hardware.cores.logical).toBeGreaterThanOrEqual(hardware.cores.physical);
});

test('engine - vulkan with the loader present but no device visible is skipped with the reason, never run on the CPU', async () => {
  // A driver manifest whose driver library does not exist: libvulkan loads, finds the manifest, gets no device.
  const manifest = path.join(dir, 'nodevice_icd.json');
  await writeFile(
    manifest,
    JSON.stringify({
      file_format_version: '1.0.0',
      ICD: { library_path: path.join(dir, 'libnone.so'), api_version: '1.3.0' },
    }),
  );
  const noDevice = new InferenceEngine({
    resolveModelPath: async (source) => path.join(dir, source),
    caseTimeoutMs: 60_000,
    hashCacheFile: path.join(dir, 'sha256-cache.json'),
    workerEnv: { VK_ICD_FILENAMES: manifest, VK_DRIVER_FILES: manifest },
  });
  const cases = [
    benchCase(0, { backend: 'vulkan', gpuLayers: 'max' }),
    benchCase(1, { backend: 'vulkan', gpuLayers: 'max', allowSoftwareDevices: true }),
  ];
  const events = await collect(noDevice.run(cases, new AbortController().signal));
  for (const id of ['c0', 'c1']) {
    expect(finishedOf(events, id)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringMatching(
        /backend vulkan is not available on this node \(it has: cpu\); vulkan: the Vulkan loader found no device \(its drivers: nodevice_icd\.json\)/,
      ),
    });
  }
  expect(events.filter((e) => e.type === 'case.started')).toEqual([]);
  const vulkan = (await noDevice.backendTable()).find((s) => s.backend === 'vulkan');
  expect(vulkan).toMatchObject({ available: false, devices: [] });
});

describe('broken model files', () => {
  let truncated: string;
  let corrupt: string;
  let notGguf: string;

  beforeAll(async () => {
    const bytes = await readFile(tinyPath);
    truncated = path.join(dir, 'truncated.gguf');
    await writeFile(truncated, bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    corrupt = path.join(dir, 'corrupt.gguf');
    // A flipped byte: the first metadata value's type (after magic, version, two counts and the key) becomes 99.
    const flipped = Buffer.from(bytes);
    const keyLength = Number(flipped.readBigUInt64LE(24));
    flipped.writeUInt32LE(99, 32 + keyLength);
    await writeFile(corrupt, flipped);
    const badVersion = Buffer.from(bytes);
    badVersion.writeUInt32LE(0xffff, 4);
    await writeFile(path.join(dir, 'bad-version.gguf'), badVersion);
    notGguf = path.join(dir, 'notes.gguf');
    await writeFile(notGguf, '<html>404 Not Found</html>\n');
    const tiny = await open(path.join(dir, 'header-only.gguf'), 'w');
    await tiny.write(bytes.subarray(0, 64));
    await tiny.close();
  });

  test('inspectModelFile names the file and what is wrong with it', async () => {
    await expect(inspectModelFile(truncated, 'truncated.gguf')).rejects.toThrow(TruncatedModelFileError);
    await expect(inspectModelFile(truncated, 'truncated.gguf')).rejects.toThrow(
      /truncated\.gguf is truncated: it has \d+ bytes but its tensors need \d+ bytes/,
    );
    await expect(inspectModelFile(corrupt, 'corrupt.gguf')).rejects.toThrow(CorruptModelFileError);
    await expect(inspectModelFile(corrupt, 'corrupt.gguf')).rejects.toThrow(
      /corrupt\.gguf is corrupt: its GGUF header cannot be parsed/,
    );
    await expect(inspectModelFile(path.join(dir, 'bad-version.gguf'), 'b')).rejects.toThrow(
      /GGUF version 65535 is not one llama\.cpp reads/,
    );
    await expect(inspectModelFile(notGguf, 'notes.gguf')).rejects.toThrow(NotGgufFileError);
    await expect(inspectModelFile(notGguf, 'notes.gguf')).rejects.toThrow(
      /notes\.gguf is not a GGUF file: it starts with "<htm"/,
    );
    await expect(inspectModelFile(path.join(dir, 'header-only.gguf'), 'h')).rejects.toThrow(
      /header-only\.gguf is truncated/,
    );
  });

  test('engine - truncated, corrupt, non-GGUF and missing files fail their case clearly; the engine goes on', async () => {
    const cases = ['truncated.gguf', 'corrupt.gguf', 'notes.gguf', 'missing.gguf', 'tiny.gguf'].map(
      (source, i) => benchCase(i, { model: { id: source, source }, repetitions: 1 }),
    );
    const events = await collect(engine.run(cases, new AbortController().signal));
    const reasons = events
      .filter((e): e is EventPayload<CaseFinishedEvent> => e.type === 'case.finished')
      .map((e) => [e.caseId, e.outcome, e.reason ?? '']);
    expect(reasons[0]).toEqual(['c0', 'failed', expect.stringMatching(/truncated\.gguf is truncated/)]);
    expect(reasons[1]).toEqual(['c1', 'failed', expect.stringMatching(/corrupt\.gguf is corrupt/)]);
    expect(reasons[2]).toEqual(['c2', 'failed', expect.stringMatching(/notes\.gguf is not a GGUF file/)]);
    expect(reasons[3]).toEqual(['c3', 'failed', expect.stringMatching(/missing\.gguf does not exist/)]);
    expect(reasons[4]).toEqual(['c4', 'ok', '']);
    // Broken files never reach a worker.
    expect(spawned).toHaveLength(1);
  });
});

test('engine - a case past the hard time limit is killed and failed; the next case runs in a fresh worker', async () => {
  const limited = newEngine(6000);
  const started = performance.now();
  const events = await collect(
    limited.run([longCase(0), benchCase(1, { repetitions: 1 })], new AbortController().signal),
  );
  expect(finishedOf(events, 'c0')).toMatchObject({
    outcome: 'failed',
    reason: expect.stringMatching(/hard time limit of 6000 ms/),
  });
  expect(finishedOf(events, 'c1')?.outcome).toBe('ok');
  expect(spawned).toHaveLength(2);
  expect(performance.now() - started).toBeLessThan(30_000);
});

test('engine - a backend probe that cannot run skips every case with the reason instead of throwing', async () => {
  const broken = new InferenceEngine({
    resolveModelPath: async (source) => path.join(dir, source),
    caseTimeoutMs: 30_000,
    hashCacheFile: path.join(dir, 'sha256-cache.json'),
    workerPath: path.join(dir, 'no-such-worker.js'),
  });
  const events = await collect(broken.run([benchCase(0)], new AbortController().signal));
  expect(events).toHaveLength(1);
  expect(finishedOf(events, 'c0')).toMatchObject({
    outcome: 'skipped',
    reason: expect.stringMatching(/it has: none.*backend probe failed: worker process exited with code 1/s),
  });
});

test('engine - a case whose test does not fit its context fails with the sizes; the worker serves the next case', async () => {
  // llama.cpp rounds context sizes up to a multiple of 256, so ask for more than 256 tokens in a 256 context.
  const tooBig = {
    mode: 'raw' as const,
    test: { id: 'pp256-tg32-d16', promptTokens: 256, generatedTokens: 32, depth: 16 },
  };
  const cases = [benchCase(0, { contextSize: 256, workload: tooBig }), benchCase(1, { repetitions: 1 })];
  const events = await collect(engine.run(cases, new AbortController().signal));
  expect(finishedOf(events, 'c0')).toMatchObject({
    outcome: 'failed',
    reason: expect.stringMatching(
      /ContextTooSmallError: case c0: the case needs 304 tokens.*contextSize is 256/,
    ),
  });
  expect(finishedOf(events, 'c1')?.outcome).toBe('ok');
  expect(spawned).toHaveLength(1);
});
