import { describe, expect, test } from '@jest/globals';
import { counterDeltaJoules, pointsToIntervals, windowEnergy } from './power-readings.js';

describe('power readings', () => {
  test('windowEnergy - integrates the overlap of each interval and reports mean, peak and readings', () => {
    const intervals = [
      { fromMs: 0, toMs: 100, watts: 50 },
      { fromMs: 100, toMs: 200, watts: 150 },
      { fromMs: 200, toMs: 300, watts: 100 },
    ];
    const w = windowEnergy(intervals, 50, 250)!;
    // 50 ms at 50 W + 100 ms at 150 W + 50 ms at 100 W = 2.5 + 15 + 5 J.
    expect(w.joules).toBeCloseTo(22.5, 9);
    expect(w.seconds).toBeCloseTo(0.2, 12);
    expect(w.meanWatts).toBeCloseTo(112.5, 9);
    expect(w.peakWatts).toBe(150);
    expect(w.readings).toBe(3);
    expect(w.coverage).toBe(1);
  });

  test('windowEnergy - a phase shorter than the interval gets the reading around it (one reading)', () => {
    const w = windowEnergy([{ fromMs: 0, toMs: 100, watts: 80 }], 40, 45)!;
    expect(w.meanWatts).toBeCloseTo(80, 9);
    expect(w.readings).toBe(1);
    expect(w.joules).toBeCloseTo(0.4, 9);
  });

  test('windowEnergy - uncovered time is filled from the nearest reading, and coverage says how much', () => {
    const w = windowEnergy([{ fromMs: 0, toMs: 100, watts: 60 }], 50, 250)!;
    expect(w.coverage).toBeCloseTo(0.25, 12);
    expect(w.meanWatts).toBeCloseTo(60, 9);
    expect(windowEnergy([{ fromMs: 0, toMs: 100, watts: 60 }], 500, 600)).toMatchObject({
      readings: 0,
      coverage: 0,
      peakWatts: 60,
    });
    expect(windowEnergy([], 0, 10)).toBeNull();
    expect(windowEnergy([{ fromMs: 0, toMs: 100, watts: 60 }], 10, 10)).toBeNull();
  });

  test('pointsToIntervals - each instant reading holds from midpoint to midpoint', () => {
    expect(
      pointsToIntervals(
        [
          { atMs: 1000, watts: 10 },
          { atMs: 1100, watts: 20 },
          { atMs: 1300, watts: 30 },
        ],
        100,
      ),
    ).toEqual([
      { fromMs: 950, toMs: 1050, watts: 10 },
      { fromMs: 1050, toMs: 1200, watts: 20 },
      { fromMs: 1200, toMs: 1350, watts: 30 },
    ]);
  });

  test('counterDeltaJoules - RAPL energy_uj wraps at max_energy_range_uj', () => {
    expect(counterDeltaJoules(1_000_000, 3_500_000, 262_143_328_850)).toBeCloseTo(2.5, 12);
    // Wrapped: 262143328850 - 262143000000 + 400000 µJ.
    expect(counterDeltaJoules(262_143_000_000, 400_000, 262_143_328_850)).toBeCloseTo(0.72885, 9);
  });
});
