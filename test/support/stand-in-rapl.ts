/**
 * A stand-in RAPL package (powercap `intel-rapl:0`) for machines without RAPL (this VM, CI): a counter file that
 * holds exactly the energy a known power profile has used up to the instant it is read.
 *
 * The counter is written by the clock the source reads with ({@link StandInRaplPackage.now}, passed as the
 * sampler's `now`): RaplSource takes the time, then reads `energy_uj`, so every read sees the counter at that very
 * instant. A timer that advanced the file instead lagged whenever the test process was descheduled between the
 * timer and a read (a 44 ms stall on a busy CI machine read 25 W as 14 W).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A power profile: watts from `fromMs` on (epoch ms), in time order; the first step holds from the start. */
export interface PowerStep {
  fromMs: number;
  watts: number;
}

export interface StandInRaplPackage {
  /** The powercap root to give the sampler (`powercapRoot`). */
  root: string;
  /** The clock to give the sampler (`now`): returns Date.now() after writing the counter for that instant. */
  now: () => number;
  /** Changes the power from `fromMs` on (must not be earlier than the last read). */
  setPower: (fromMs: number, watts: number) => void;
}

/**
 * Creates `root/intel-rapl:0` drawing `watts` from now on. `maxRangeUj` is the counter's wrap
 * (`max_energy_range_uj`); small values make the counter wrap within a test.
 */
export function standInRaplPackage(
  root: string,
  watts: number,
  maxRangeUj = 262_143_328_850,
): StandInRaplPackage {
  const dir = join(root, 'intel-rapl:0');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'name'), 'package-0\n');
  writeFileSync(join(dir, 'max_energy_range_uj'), `${maxRangeUj}\n`);
  const startUj = Math.max(0, maxRangeUj - 2_000_000);
  const steps: PowerStep[] = [{ fromMs: Date.now(), watts }];
  const energyUjAt = (atMs: number): number => {
    let uj = startUj;
    steps.forEach((step, i) => {
      const until = Math.min(atMs, steps[i + 1]?.fromMs ?? Infinity);
      if (until > step.fromMs) uj += step.watts * (until - step.fromMs) * 1000;
    });
    return Math.round(uj) % maxRangeUj;
  };
  const now = (): number => {
    const atMs = Date.now();
    writeFileSync(join(dir, 'energy_uj'), `${energyUjAt(atMs)}\n`);
    return atMs;
  };
  now();
  return {
    root,
    now,
    setPower: (fromMs, w) => {
      steps.push({ fromMs, watts: w });
      steps.sort((a, b) => a.fromMs - b.fromMs);
    },
  };
}
