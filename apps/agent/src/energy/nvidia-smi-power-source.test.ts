import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  NvidiaSmiPowerParser,
  NvidiaSmiPowerSource,
  parseNvidiaSmiTimestamp,
} from './nvidia-smi-power-source.js';

const fixtures = join(import.meta.dirname, 'fixtures');
const recording = join(fixtures, 'nvidia-smi-power-stream.csv');

/** Sum of the GPUs' watts of each tick of the recording. */
function recordedTickSums(): number[] {
  const ticks = new Map<string, number>();
  for (const line of readFileSync(recording, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const [ts, , w] = line.split(',').map((f) => f.trim());
    ticks.set(ts!, (ticks.get(ts!) ?? 0) + Number(w));
  }
  return [...ticks.values()];
}

async function eventually(check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('nvidia-smi power source', () => {
  let bin: string;
  let env: NodeJS.ProcessEnv;
  beforeEach(() => {
    bin = mkdtempSync(join(tmpdir(), 'rigbench-smi-'));
    copyFileSync(join(fixtures, 'nvidia-smi-stand-in.sh'), join(bin, 'nvidia-smi'));
    env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, STAND_IN_RECORDING: recording };
  });
  afterEach(() => rmSync(bin, { recursive: true, force: true }));

  test('nvidia-smi (stand-in on PATH replaying a stream in the nvidia-smi output format) - sums the GPUs of each tick, stamped now', async () => {
    const started = await NvidiaSmiPowerSource.start({ env, intervalMs: 100 });
    if (!('source' in started)) throw new Error(started.unavailable);
    const source = started.source;
    const t0 = Date.now();
    try {
      expect(source.description).toBe('nvidia-smi power.draw.instant every 100 ms, GPUs 0,1');
      await eventually(() => source.intervals(0).length >= 8, 10_000);
      const sums = recordedTickSums();
      const intervals = source.intervals(0);
      for (const iv of intervals) {
        expect(sums.some((s) => Math.abs(s - iv.watts) < 1e-9)).toBe(true);
        expect(iv.toMs).toBeGreaterThan(iv.fromMs);
        expect(Math.abs(iv.fromMs - t0)).toBeLessThan(15_000);
      }
      expect(source.skippedLines).toBe(0);
      expect(source.failure()).toBeNull();
    } finally {
      await source.stop();
    }
    expect(source.failure()).toBeNull();
  });

  test('nvidia-smi (stand-in) - a driver without power.draw.instant falls back to power.draw', async () => {
    const started = await NvidiaSmiPowerSource.start({
      env: { ...env, STAND_IN_NO_INSTANT: '1' },
      gpus: [1],
    });
    if (!('source' in started)) throw new Error(started.unavailable);
    await started.source.stop();
    // The stand-in ignores -i; what matters is the field chosen and the GPUs the probe listed.
    expect(started.source.description).toMatch(/^nvidia-smi power\.draw every 100 ms, GPUs 0,1$/);
  });

  test('nvidia-smi - not installed is unavailable with the reason', async () => {
    expect(await NvidiaSmiPowerSource.start({ binary: join(bin, 'no-such-nvidia-smi') })).toEqual({
      unavailable: expect.stringMatching(/no-such-nvidia-smi not found on PATH/),
    });
  });

  test('nvidia-smi stream parser - lines split across chunks, [N/A] skipped, one reading per tick', () => {
    const points: { atMs: number; watts: number }[] = [];
    const parser = new NvidiaSmiPowerParser(
      2,
      (p) => points.push(p),
      () => 42,
    );
    parser.write('2026/12/01 14:30:00.000, 0, 38.00\n2026/12/01 14:30:00.000, 1, 4');
    parser.write('2.00\n2026/12/01 14:30:00.100, 0, [N/A]\nnot a line\n');
    parser.write('2026/12/01 14:30:00.200, 0, 50.5\n2026/12/01 14:30:00.200, 1, 49.5\n');
    parser.end();
    expect(points).toEqual([
      { atMs: parseNvidiaSmiTimestamp('2026/12/01 14:30:00.000'), watts: 80 },
      { atMs: parseNvidiaSmiTimestamp('2026/12/01 14:30:00.200'), watts: 100 },
    ]);
    expect(parser.skippedLines).toBe(2);
    expect(parseNvidiaSmiTimestamp('2026/12/01 14:30:00.2')).toBe(
      new Date(2026, 11, 1, 14, 30, 0, 200).getTime(),
    );
    expect(parseNvidiaSmiTimestamp('yesterday')).toBeNaN();
  });
});
