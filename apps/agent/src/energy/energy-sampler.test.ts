import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import type { Sample } from '@rigbench/shared';
import { standInRaplPackage } from '../../../../test/support/stand-in-rapl.js';
import { EnergySampler, samplePhases } from './energy-sampler.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const recording = join(fixtures, 'nvidia-smi-power-stream.csv');

describe('energy sampler', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'rigbench-energy-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('sampler (stand-in nvidia-smi and stand-in powercap) - idle baseline, prompt and decode attributed by timestamp', async () => {
    // CPU package: 10 W idle and during the "prompt", 40 W from the switch on (the "decode"); its counter wraps
    // at 30 J, as real counters do at their max_energy_range_uj.
    const cpuPackage = standInRaplPackage(join(dir, 'powercap'), 10, 30_000_000);
    mkdirSync(join(dir, 'bin'));
    copyFileSync(join(fixtures, 'nvidia-smi-stand-in.sh'), join(dir, 'bin', 'nvidia-smi'));
    const sampler = await EnergySampler.start({
      powercapRoot: cpuPackage.root,
      now: cpuPackage.now,
      env: { ...process.env, PATH: `${join(dir, 'bin')}:${process.env.PATH}`, STAND_IN_RECORDING: recording },
    });
    try {
      expect(sampler.sources).toEqual({
        gpu: 'nvidia-smi power.draw.instant every 100 ms, GPUs 0,1',
        gpuUnavailable: null,
        cpu: 'powercap intel-rapl:0 (package-0) every 100 ms',
        cpuUnavailable: null,
      });
      await sampler.idleBaseline(500);
      // Set after the idle baseline, so a slow start (the nvidia-smi probe on a busy machine) cannot shift it.
      const switchAt = Date.now() + 600;
      cpuPackage.setPower(switchAt, 40);
      const promptFromMs = switchAt - 500;
      const energy = await sampler.attribute({
        promptFromMs,
        promptToMs: switchAt,
        promptTokens: 64,
        decodeFromMs: switchAt,
        decodeToMs: switchAt + 800,
        decodeTokens: 32,
      });
      expect(energy).not.toBeNull();
      const cpu = energy!.cpu!;
      // The stand-in counter is exact at every read, so the idle power is too.
      expect(cpu.idleWatts).toBeCloseTo(10, 2);
      // One 100 ms reading may straddle the switch: allow its blur (at most 100 ms of the other power).
      expect(cpu.prompt!.meanWatts).toBeGreaterThan(8);
      expect(cpu.prompt!.meanWatts).toBeLessThan(18);
      expect(cpu.decode!.meanWatts).toBeGreaterThan(33);
      expect(cpu.decode!.meanWatts).toBeLessThan(42);
      expect(cpu.decode!.peakWatts).toBeGreaterThanOrEqual(cpu.decode!.meanWatts);
      expect(cpu.decode!.readings).toBeGreaterThanOrEqual(4);
      expect(cpu.decode!.seconds).toBeCloseTo(0.8, 9);
      expect(cpu.decode!.tokensPerJoule).toBeCloseTo(32 / cpu.decode!.joules, 9);
      expect(cpu.decode!.tokensPerJouleAboveIdle).toBeCloseTo(
        32 / (cpu.decode!.joules - cpu.idleWatts! * 0.8),
        9,
      );

      const gpu = energy!.gpu!;
      const sums = readFileSync(recording, 'utf8')
        .trim()
        .split('\n')
        .reduce((ticks, line) => {
          const [ts, , w] = line.split(',').map((f) => f.trim());
          ticks.set(ts!, (ticks.get(ts!) ?? 0) + Number(w));
          return ticks;
        }, new Map<string, number>());
      const lo = Math.min(...sums.values());
      const hi = Math.max(...sums.values());
      for (const phase of [gpu.prompt!, gpu.decode!]) {
        expect(phase.meanWatts).toBeGreaterThanOrEqual(lo - 1e-9);
        expect(phase.meanWatts).toBeLessThanOrEqual(hi + 1e-9);
        expect(phase.readings).toBeGreaterThanOrEqual(3);
      }
      expect(gpu.idleWatts).toBeGreaterThanOrEqual(lo - 1e-9);
      expect(energy!.decodeTokensPerJoule).toBeCloseTo(32 / (gpu.decode!.joules + cpu.decode!.joules), 9);
      expect(energy!.promptTokensPerJoule).toBeCloseTo(64 / (gpu.prompt!.joules + cpu.prompt!.joules), 9);
    } finally {
      await sampler.stop();
    }
  }, 20_000);

  test('sampler - with no readable source every field is null and the reasons are named', async () => {
    const sampler = await EnergySampler.start({
      nvidiaSmi: join(dir, 'no-nvidia-smi'),
      powercapRoot: join(dir, 'no-powercap'),
    });
    expect(sampler.active).toBe(false);
    expect(sampler.sources).toEqual({
      gpu: null,
      gpuUnavailable: expect.stringMatching(/no-nvidia-smi not found on PATH/),
      cpu: null,
      cpuUnavailable: expect.stringMatching(/no-powercap does not exist/),
    });
    await sampler.idleBaseline(10_000); // returns at once: nothing to measure
    expect(
      await sampler.attribute({
        promptFromMs: 0,
        promptToMs: 1,
        promptTokens: 1,
        decodeFromMs: 1,
        decodeToMs: 2,
        decodeTokens: 1,
      }),
    ).toBeNull();
    await sampler.stop();
  });

  test('samplePhases - prompt until the first token, decode for decodeSeconds after it', () => {
    const sample = {
      startedAt: '2026-12-01T10:00:00.000Z',
      ttftSeconds: 0.25,
      promptSeconds: 0.2,
      promptTokens: 12,
      decodeSeconds: 1.5,
      decodeTokensPerSecond: 20,
    } as Sample;
    const start = Date.parse(sample.startedAt);
    expect(samplePhases(sample)).toEqual({
      promptFromMs: start,
      promptToMs: start + 250,
      promptTokens: 12,
      decodeFromMs: start + 250,
      decodeToMs: start + 1750,
      decodeTokens: 30,
    });
    expect(samplePhases({ ...sample, ttftSeconds: null }).promptToMs).toBe(start + 200);
  });
});
