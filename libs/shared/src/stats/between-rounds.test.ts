import { describe, expect, test } from '@jest/globals';
import { compareByRounds, roundsNeeded, withoutWarmupOutlier, MAX_ROUNDS } from './between-rounds.js';
import { logRatioTest } from './log-ratio-test.js';
import { repetitionsNeeded, MAX_REPETITIONS } from './repetitions.js';
import { mannWhitneyU } from './mann-whitney.js';
import { NoVarianceError, welchTTest } from './welch-t-test.js';
import { StatsDomainError } from './stats-errors.js';
import { geometricMeanInterval } from './confidence-interval.js';

describe('compareByRounds', () => {
  test('repetitions only measure within-round noise: the test is on round means', () => {
    // Two rounds a side, three tight repetitions each; the rounds themselves differ a lot.
    const a = [
      { round: 'r1', values: [10, 10.1, 9.9] },
      { round: 'r2', values: [14, 14.1, 13.9] },
    ];
    const b = [
      { round: 'r1', values: [12, 12.1, 11.9] },
      { round: 'r2', values: [16, 16.1, 15.9] },
    ];
    const r = compareByRounds([a], [b]).overall;
    const pooledReps = logRatioTest([
      { x: a.flatMap((x) => x.values), y: b.flatMap((x) => x.values) },
    ]).overall;
    expect(r.roundsA).toBe(2);
    expect(r.repetitions).toEqual({ min: 3, max: 3 });
    expect(r.p!).toBeGreaterThan(0.05);
    // Treating the 6 repetitions as independent would claim far more certainty.
    expect(pooledReps.p!).toBeLessThan(r.p!);
    expect(r.withinRoundSd!).toBeLessThan(r.betweenRoundSd! / 10);
  });

  test('one round on a side: an estimate, no interval, no p', () => {
    const r = compareByRounds(
      [
        [
          { round: 'a', values: [10, 11] },
          { round: 'b', values: [10.5, 10.6] },
        ],
      ],
      [[{ round: 'a', values: [12, 12.2] }]],
    ).overall;
    expect([r.ci, r.p, r.roundsB]).toEqual([null, null, 1]);
    expect(r.roundsNeeded).toBeGreaterThanOrEqual(2);
  });

  test('a cold first repetition is left out of its round', () => {
    expect(withoutWarmupOutlier([5, 10, 10.1, 9.9]).leftOut).toBe(true);
    expect(withoutWarmupOutlier([10.05, 10, 10.1, 9.9]).leftOut).toBe(false);
    expect(withoutWarmupOutlier([5, 10]).leftOut).toBe(false);
  });
});

describe('roundsNeeded', () => {
  test('t-approximation of the two-sample power (scipy t.ppf): sd 0.1, 10% difference → 19 rounds a side', () => {
    expect(roundsNeeded(0.1, Math.log(1.1))).toBe(19);
    expect(roundsNeeded(0, 0.1)).toBe(2);
    expect(roundsNeeded(10, 1e-6)).toBe(MAX_ROUNDS);
  });
});

describe('numbers a person can read', () => {
  test('zero spread never gives p = 0: the figures resolution sets the noise floor', () => {
    const r = logRatioTest([{ x: [20, 20, 20], y: [21, 21, 21] }]).overall;
    expect(r.p!).toBeGreaterThan(0);
    expect(r.ci!.lo).toBeLessThan(r.ci!.hi);
  });

  test('welch with two constant groups: equal means p = 1, different means a named error', () => {
    expect(welchTTest([3, 3], [3, 3]).p).toBe(1);
    expect(() => welchTTest([3, 3], [4, 4])).toThrow(NoVarianceError);
  });

  test('mannWhitneyU refuses NaN instead of ranking it', () => {
    expect(() => mannWhitneyU([1, NaN, 3], [4, 5])).toThrow(StatsDomainError);
  });

  test('rate intervals are on the log scale and never negative', () => {
    const ci = geometricMeanInterval([1, 30, 2]);
    expect(ci.lo).toBeGreaterThan(0);
    expect(ci.mean).toBeCloseTo(Math.cbrt(60), 12);
  });

  test('the repetitions cap is 1,000,000, and answers between 524,288 and it are found', () => {
    expect(MAX_REPETITIONS).toBe(1_000_000);
    // cv 1, margin 0.0025: t·1/√n ≤ 0.0025 needs n ≈ (1.96/0.0025)² ≈ 614,660.
    const n = repetitionsNeeded(1, 0.0025);
    expect(n).toBeGreaterThan(524_288);
    expect(n).toBeLessThan(1_000_000);
    expect(repetitionsNeeded(10, 0.0001)).toBe(1_000_000);
  });
});
