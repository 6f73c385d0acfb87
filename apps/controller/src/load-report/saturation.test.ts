import { describe, expect, test } from '@jest/globals';
import { flatLatency, loadLevelRecord } from '../../../../test/support/load-level.js';
import { saturationSentence, sweepSaturation, type SweepLevels } from './saturation.js';

/** A sweep whose level at each concurrency has the given output throughput and p90 TTFT. */
function sweep(points: Array<[concurrency: number, tokPerS: number, p90TtftMs: number | null]>): SweepLevels {
  return {
    title: 'box small cpu serve, t=1',
    levels: points.map(([c, tps, ttft]) => ({
      level: loadLevelRecord(c, { output_throughput: tps, ttft: flatLatency(ttft) }),
    })),
  };
}

describe('load saturation', () => {
  test('saturation - the knee is the lowest concurrency within 10 % of the peak; what more in flight costs', () => {
    // The doc's figures: 261 → 355 → 349 tok/s at 1, 2, 4 in flight.
    const s = sweepSaturation(
      sweep([
        [1, 261, 2.1],
        [2, 355, 3.4],
        [4, 349, 9.8],
      ]),
    )!;
    expect([s.knee.concurrency, s.peak.concurrency, s.saturated]).toEqual([2, 2, true]);
    expect(saturationSentence(s)).toBe(
      'box small cpu serve, t=1: saturates at 2 in flight (355.0 tok/s, 1.36× the rate at 1 in flight); ' +
        'more in flight, up to 4, adds no output while p90 TTFT 3.4 → 9.8 ms.',
    );
    // A peak past the knee: the gain above the knee is said, at most 1/0.9 − 1.
    const later = sweepSaturation(
      sweep([
        [1, 100, null],
        [2, 180, null],
        [4, 195, null],
      ]),
    )!;
    expect([later.knee.concurrency, later.peak.concurrency]).toEqual([2, 4]);
    expect(saturationSentence(later)).toBe(
      'box small cpu serve, t=1: saturates at 2 in flight (180.0 tok/s, 1.80× the rate at 1 in flight); ' +
        'more in flight, up to 4, adds at most 8 % output.',
    );
  });

  test('saturation - levels above the knee that fall below 90 % of it are said to lose output (the slowest named)', () => {
    // The demo's node-b small model, morning: two agents on two shared cores.
    const s = sweepSaturation(
      sweep([
        [1, 159.7, 37.6],
        [2, 43.7, 335.3],
        [4, 59.7, 398.5],
      ]),
    )!;
    expect([s.knee.concurrency, s.low.concurrency]).toEqual([1, 2]);
    expect(saturationSentence(s)).toBe(
      'box small cpu serve, t=1: saturates at 1 in flight (159.7 tok/s); more in flight, up to 4, loses output ' +
        '(43.7 tok/s at 2, -73 %) while p90 TTFT 37.6 → 398.5 ms.',
    );
  });

  test('saturation - still rising at the top of the sweep says so; one level or no throughput says nothing', () => {
    const rising = sweepSaturation(
      sweep([
        [1, 100, 2],
        [2, 150, 3],
        [4, 260, 5],
      ]),
    )!;
    expect([rising.knee.concurrency, rising.saturated]).toEqual([4, false]);
    expect(saturationSentence(rising)).toBe(
      'box small cpu serve, t=1: not saturated within the sweep — output still rising at 4 in flight ' +
        '(260.0 tok/s, 2.60× the rate at 1 in flight; p90 TTFT 2.0 → 5.0 ms); try higher concurrency.',
    );
    expect(sweepSaturation(sweep([[1, 100, 2]]))).toBeNull();
    expect(
      sweepSaturation(
        sweep([
          [1, 0, null],
          [2, 0, null],
        ]),
      ),
    ).toBeNull();
  });
});
