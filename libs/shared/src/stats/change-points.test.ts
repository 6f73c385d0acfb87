import { describe, expect, test } from '@jest/globals';
import { changePointPenalty, detectChangePoints } from './change-points.js';
import { normalQuantile } from './normal-distribution.js';
import { SeededRandom } from '../random/seeded-random.js';
import { StatsDomainError } from './stats-errors.js';

/** Standard normal deviate from the seeded generator (Box-Muller). */
function gaussian(rng: SeededRandom): number {
  const u = 1 - rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

interface SeriesSpec {
  /** Level of each block, e.g. tokens per second. */
  levels: number[];
  repetitions: number;
  /** Relative noise of one repetition (log-scale sd). */
  withinSd: number;
  /** Extra run-to-run noise (log-scale sd). */
  betweenSd?: number;
  seed: number;
}

function series(spec: SeriesSpec): number[][] {
  const rng = new SeededRandom(spec.seed);
  return spec.levels.map((level) => {
    const runShift = (spec.betweenSd ?? 0) * gaussian(rng);
    return Array.from({ length: spec.repetitions }, () =>
      Math.exp(Math.log(level) + runShift + spec.withinSd * gaussian(rng)),
    );
  });
}

const repeat = (value: number, times: number): number[] => Array.from({ length: times }, () => value);

describe('detectChangePoints', () => {
  test('change points - finds one known step at the right run, with its size inside the CI', () => {
    const blocks = series({
      levels: [...repeat(20, 8), ...repeat(15, 7)],
      repetitions: 5,
      withinSd: 0.02,
      seed: 7,
    });
    const r = detectChangePoints(blocks);
    expect(r.changePoints.map((c) => c.index)).toEqual([8]);
    const step = r.changePoints[0]!;
    expect(step.ci.lo).toBeLessThan(0.75);
    expect(step.ci.hi).toBeGreaterThan(0.75);
    expect(step.ratio).toBeCloseTo(0.75, 1);
    expect(step.gain).toBeGreaterThan(r.penalty);
    expect(r.segments).toHaveLength(2);
    expect(r.segments[0]).toMatchObject({ start: 0, end: 8 });
    expect(r.segments[1]).toMatchObject({ start: 8, end: 15 });
    expect(r.withinSd).toBeGreaterThan(0.01);
    expect(r.withinSd).toBeLessThan(0.03);
  });

  test('change points - finds two steps (down then partly back up) in order', () => {
    const blocks = series({
      levels: [...repeat(30, 6), ...repeat(24, 6), ...repeat(27, 6)],
      repetitions: 4,
      withinSd: 0.015,
      seed: 11,
    });
    const r = detectChangePoints(blocks);
    expect(r.changePoints.map((c) => c.index)).toEqual([6, 12]);
    expect(r.changePoints[0]!.ratio).toBeCloseTo(0.8, 1);
    expect(r.changePoints[1]!.ratio).toBeCloseTo(27 / 24, 1);
    for (const [c, truth] of [
      [r.changePoints[0]!, 0.8],
      [r.changePoints[1]!, 27 / 24],
    ] as const) {
      expect(c.ci.lo).toBeLessThan(truth);
      expect(c.ci.hi).toBeGreaterThan(truth);
    }
  });

  test('change points - two runs with a large step (the demo shape) are split', () => {
    const blocks = series({ levels: [40, 60], repetitions: 2, withinSd: 0.03, seed: 3 });
    const r = detectChangePoints(blocks);
    expect(r.betweenEstimated).toBe(false);
    expect(r.changePoints).toHaveLength(1);
    expect(r.changePoints[0]!.index).toBe(1);
    expect(r.changePoints[0]!.ratio).toBeGreaterThan(1.3);
  });

  test('change points - no false change point on 200 no-step noise series (within-run noise only)', () => {
    let falseSeries = 0;
    for (let seed = 1; seed <= 200; seed++) {
      const blocks = series({ levels: repeat(25, 12), repetitions: 3, withinSd: 0.03, seed });
      if (detectChangePoints(blocks).changePoints.length > 0) falseSeries++;
    }
    // The penalty floor is a Bonferroni bound at alpha 0.05: about 5 % of series may show a false split (10 here).
    expect(falseSeries).toBeLessThanOrEqual(10);
    expect(
      detectChangePoints(series({ levels: repeat(25, 12), repetitions: 3, withinSd: 0.03, seed: 1 })),
    ).toMatchObject({ changePoints: [] });
  });

  test('change points - run-to-run noise larger than the repetitions show is estimated, not taken for steps', () => {
    let falseSeries = 0;
    for (let seed = 1; seed <= 100; seed++) {
      const blocks = series({
        levels: repeat(25, 20),
        repetitions: 5,
        withinSd: 0.01,
        betweenSd: 0.04,
        seed,
      });
      const r = detectChangePoints(blocks);
      expect(r.betweenEstimated).toBe(true);
      if (r.changePoints.length > 0) falseSeries++;
    }
    expect(falseSeries).toBeLessThanOrEqual(10);
    // And a real step of 30 % still stands out of that noise.
    const stepped = series({
      levels: [...repeat(25, 10), ...repeat(17.5, 10)],
      repetitions: 5,
      withinSd: 0.01,
      betweenSd: 0.04,
      seed: 5,
    });
    const r = detectChangePoints(stepped);
    expect(r.changePoints.map((c) => c.index)).toEqual([10]);
    expect(r.betweenSd).toBeGreaterThan(0.02);
    expect(r.betweenSd).toBeLessThan(0.08);
  });

  test('change points - minRelativeStep drops steps that are real but too small to matter', () => {
    const blocks = series({
      levels: [...repeat(20, 8), ...repeat(20.6, 8)],
      repetitions: 10,
      withinSd: 0.002,
      seed: 2,
    });
    expect(detectChangePoints(blocks).changePoints).toHaveLength(1);
    expect(detectChangePoints(blocks, { minRelativeStep: 0.05 }).changePoints).toHaveLength(0);
  });

  test('change points - empty blocks carry no weight and indices refer to the caller blocks', () => {
    const blocks = series({
      levels: [...repeat(20, 5), ...repeat(10, 5)],
      repetitions: 3,
      withinSd: 0.02,
      seed: 9,
    });
    const withGaps = [blocks[0]!, [], ...blocks.slice(1, 5), [], ...blocks.slice(5)];
    const r = detectChangePoints(withGaps);
    expect(r.changePoints.map((c) => c.index)).toEqual([7]);
    expect(Number.isNaN(r.blockLevels[1]!)).toBe(true);
    expect(r.segments.map((s) => [s.start, s.end])).toEqual([
      [0, 7],
      [7, 12],
    ]);
  });

  test('change points - penalty is BIC floored at the Bonferroni chi-square value', () => {
    expect(changePointPenalty(2)).toBeCloseTo(normalQuantile(0.975) ** 2, 12);
    const z = normalQuantile(1 - 0.05 / (2 * 29));
    expect(changePointPenalty(30)).toBeCloseTo(Math.max(2 * Math.log(30), z * z), 12);
    expect(changePointPenalty(1)).toBe(Infinity);
    expect(detectChangePoints([[10, 11]]).changePoints).toEqual([]);
    expect(detectChangePoints([]).segments).toEqual([]);
  });

  test('change points - rejects values that have no logarithm, naming the block and value', () => {
    expect(() =>
      detectChangePoints([
        [1, 2],
        [3, 0],
      ]),
    ).toThrow(StatsDomainError);
    expect(() =>
      detectChangePoints([
        [1, 2],
        [3, 0],
      ]),
    ).toThrow(/block 1\[1\] is 0/);
    expect(() => detectChangePoints([[1]], { minSegmentBlocks: 0 })).toThrow(/minSegmentBlocks/);
  });
});
