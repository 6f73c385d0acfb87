/**
 * The engine with energy on: real inference in a real worker on the tiny synthetic model, power from a stand-in
 * powercap tree and a stand-in nvidia-smi (no GPU and no RAPL here). Needs `npx tsc -b` (workers run dist/).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import {
  ensureSynthModel,
  type BenchCase,
  type Fingerprint,
  type LoadLevelRecord,
  type Sample,
} from '@rigbench/shared';
import { standInRaplPackage, type StandInRaplPackage } from '../../../../test/support/stand-in-rapl.js';
import { InferenceEngine, type EngineEventPayload } from '../engine/inference-engine.js';

const MODELS_DIR = path.join(os.tmpdir(), 'rigbench-test-models');
const fixtures = path.join(import.meta.dirname, 'fixtures');
let dir: string;
let cpuPackage: StandInRaplPackage;

const benchCase: BenchCase = {
  index: 0,
  caseId: 'c0',
  model: { id: 'tiny', source: 'tiny.gguf' },
  backend: 'cpu',
  devices: [],
  gpuLayers: 0,
  contextSize: 512,
  batchSize: 256,
  threads: 1,
  flashAttention: false,
  kvCacheType: 'f16',
  workload: { mode: 'raw', test: { id: 'pp64-tg32', promptTokens: 64, generatedTokens: 32, depth: 0 } },
  generation: { maxTokens: 32, temperature: 0.7, topK: 40, topP: 0.9, seed: 7, ignoreEos: true },
  warmup: 0,
  repetitions: 2,
};

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rigbench-engine-energy-'));
  copyFileSync(await ensureSynthModel(MODELS_DIR, 'tiny', { type: 'q8_0' }), path.join(dir, 'tiny.gguf'));
  // Stand-in RAPL package drawing a steady 25 W.
  cpuPackage = standInRaplPackage(path.join(dir, 'powercap'), 25);
  mkdirSync(path.join(dir, 'bin'));
  copyFileSync(path.join(fixtures, 'nvidia-smi-stand-in.sh'), path.join(dir, 'bin', 'nvidia-smi'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** A serving-load level: two requests in flight, four of eight tokens each. */
const loadCase: BenchCase = {
  ...benchCase,
  caseId: 'c1-load',
  contextSize: 256,
  workload: {
    mode: 'load',
    test: { id: 'serve', concurrency: [2], requests: 4, prompts: ['hi'], maxTokens: 8 },
    concurrency: 2,
  },
  repetitions: 1,
};

async function run(
  energy: ConstructorParameters<typeof InferenceEngine>[0]['energy'],
  cases: BenchCase[] = [benchCase],
) {
  const engine = new InferenceEngine({
    resolveModelPath: async (source) => path.join(dir, source),
    caseTimeoutMs: 120_000,
    hashCacheFile: path.join(dir, 'sha256-cache.json'),
    ...(energy === undefined ? {} : { energy }),
  });
  const events: EngineEventPayload[] = [];
  for await (const e of engine.run(cases, new AbortController().signal)) events.push(e);
  const started = events.find((e) => e.type === 'case.started');
  return {
    fingerprint: (started as { fingerprint: Fingerprint } | undefined)?.fingerprint,
    samples: events.flatMap((e) => (e.type === 'sample.recorded' ? [e.sample as Sample] : [])),
    levels: events.flatMap((e) => (e.type === 'load.level.recorded' ? [e.level as LoadLevelRecord] : [])),
  };
}

/** Both stand-ins: the RAPL package at a steady 25 W and nvidia-smi replaying a recording of two GPUs. */
const standIns = () => ({
  powercapRoot: cpuPackage.root,
  now: cpuPackage.now,
  idleBaselineMs: 300,
  env: {
    ...process.env,
    PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
    STAND_IN_RECORDING: path.join(fixtures, 'nvidia-smi-power-stream.csv'),
  },
});

test('engine energy (stand-in nvidia-smi and stand-in powercap) - every sample gets energy per phase, the fingerprint names the sources', async () => {
  const { fingerprint, samples } = await run(standIns());
  expect(fingerprint?.energySources).toEqual({
    gpu: 'nvidia-smi power.draw.instant every 100 ms, GPUs 0,1',
    gpuUnavailable: null,
    cpu: 'powercap intel-rapl:0 (package-0) every 100 ms',
    cpuUnavailable: null,
  });
  expect(samples).toHaveLength(2);
  for (const s of samples) {
    const e = s.energy!;
    // The stand-in counter is exact at every read (its clock writes it), so a steady 25 W reads as 25 W.
    expect(e.cpu!.idleWatts).toBeCloseTo(25, 2);
    expect(e.cpu!.prompt!.meanWatts).toBeCloseTo(25, 2);
    expect(e.cpu!.decode!.meanWatts).toBeCloseTo(25, 2);
    expect(e.cpu!.decode!.seconds).toBeCloseTo(s.decodeSeconds, 6);
    expect(e.gpu!.decode!.meanWatts).toBeGreaterThan(70);
    const decodeTokens = Math.round(s.decodeTokensPerSecond * s.decodeSeconds);
    expect(e.decodeTokensPerJoule).toBeCloseTo(
      decodeTokens / (e.cpu!.decode!.joules + e.gpu!.decode!.joules),
      9,
    );
    expect(e.promptTokensPerJoule).toBeCloseTo(64 / (e.cpu!.prompt!.joules + e.gpu!.prompt!.joules), 9);
  }
}, 180_000);

test('engine energy (stand-in nvidia-smi and stand-in powercap) - a load level gets the energy of its window and output tokens per joule', async () => {
  const { levels } = await run(standIns(), [loadCase]);
  expect(levels).toHaveLength(1);
  const level = levels[0]!;
  const energy = level.energy!;
  const outputTokens = level.requests.reduce((sum, r) => sum + r.outputTokens, 0);
  expect(outputTokens).toBe(4 * 8);
  // The window is the level's own: first arrival to last token.
  expect(energy.cpu!.level!.seconds).toBeCloseTo(level.summary.durationSeconds, 6);
  expect(energy.cpu!.idleWatts).toBeCloseTo(25, 2);
  expect(energy.cpu!.level!.meanWatts).toBeCloseTo(25, 2);
  expect(energy.cpu!.level!.tokensPerJoule).toBeCloseTo(outputTokens / energy.cpu!.level!.joules, 9);
  expect(energy.gpu!.level!.meanWatts).toBeGreaterThan(70);
  expect(energy.outputTokensPerJoule).toBeCloseTo(
    outputTokens / (energy.cpu!.level!.joules + energy.gpu!.level!.joules),
    9,
  );
}, 180_000);

test('engine energy - with no readable source, samples carry energy null and the fingerprint the reasons', async () => {
  const { fingerprint, samples } = await run({
    powercapRoot: path.join(dir, 'no-powercap'),
    nvidiaSmi: path.join(dir, 'no-nvidia-smi'),
  });
  expect(fingerprint?.energySources).toEqual({
    gpu: null,
    gpuUnavailable: expect.stringMatching(/not found on PATH/),
    cpu: null,
    cpuUnavailable: expect.stringMatching(/no-powercap does not exist/),
  });
  expect(samples.map((s) => s.energy)).toEqual([null, null]);
  // A load level likewise: energy null.
  const load = await run(
    { powercapRoot: path.join(dir, 'no-powercap'), nvidiaSmi: path.join(dir, 'no-nvidia-smi') },
    [loadCase],
  );
  expect(load.levels.map((l) => l.energy)).toEqual([null]);
  // And with energy off, samples and levels have no energy field and the fingerprint no sources.
  const off = await run(false, [benchCase, loadCase]);
  expect(off.fingerprint).not.toHaveProperty('energySources');
  expect(off.samples.every((s) => !('energy' in s))).toBe(true);
  expect(off.levels).toHaveLength(1);
  expect(off.levels.every((l) => !('energy' in l))).toBe(true);
}, 180_000);
