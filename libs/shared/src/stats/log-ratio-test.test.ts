import { describe, expect, test } from '@jest/globals';
import { logRatioTest } from './log-ratio-test.js';
import { StatsDomainError } from './stats-errors.js';

describe('logRatioTest', () => {
  const cuda = [15.86, 15.65, 16.18];
  const vulkan = [20.71, 20.1];

  test('one stratum, pooled = Student t on logs (scipy ttest_ind(log y, log x))', () => {
    // scipy 1.17.1: ttest_ind(np.log(y), np.log(x)): statistic 14.913049893014371, pvalue 0.0006543131904490737;
    // exp(confidence_interval(0.95)) = (1.2169852356100725, 1.3538175887164963).
    const r = logRatioTest([{ x: cuda, y: vulkan }], { variance: 'pooled' });
    expect(r.method).toBe('pooled');
    expect(r.overall.t).toBeCloseTo(14.913049893014371, 10);
    expect(r.overall.p).toBeCloseTo(0.0006543131904490737, 14);
    expect(r.overall.ci!.lo).toBeCloseTo(1.2169852356100725, 12);
    expect(r.overall.ci!.hi).toBeCloseTo(1.3538175887164963, 12);
    expect(r.strata[0]).toEqual(r.overall);
  });

  test('one stratum, welch = ttest_ind(log y, log x, equal_var=False)', () => {
    // scipy 1.17.1: statistic 14.01927903760163, pvalue 0.006817294461787429, df 1.851364862698131;
    // exp(CI) = (1.1815465471908482, 1.3944232845454563).
    const r = logRatioTest([{ x: cuda, y: vulkan }], { variance: 'auto' });
    expect(r.method).toBe('welch');
    expect(r.overall.t).toBeCloseTo(14.01927903760163, 10);
    expect(r.overall.df).toBeCloseTo(1.851364862698131, 10);
    expect(r.overall.p).toBeCloseTo(0.006817294461787429, 12);
    expect(r.overall.ci!.lo).toBeCloseTo(1.1815465471908482, 10);
    expect(r.overall.ci!.hi).toBeCloseTo(1.3944232845454563, 10);
  });

  test('seed qwen-14b: three prompts, Vulkan n=1 each, pooled over the CUDA rounds', () => {
    // Hand computation in numpy/scipy 1.17.1 (pooled log variance, df = 6, equal stratum weights):
    // ratio 1.3876584843349968, t 9.091630612596637, p 9.942503222846786e-05, CI (1.27054136, 1.51557134).
    const r = logRatioTest([
      { x: [15.86, 15.65, 16.18], y: [20.71] },
      { x: [14.04, 13.73, 16.18], y: [19.78] },
      { x: [12.62, 12.04, 12.32], y: [18.67] },
    ]);
    expect(r.method).toBe('pooled');
    expect(r.overall.df).toBe(6);
    expect(r.overall.ratio).toBeCloseTo(1.3876584843349968, 12);
    expect(r.overall.t).toBeCloseTo(9.091630612596637, 10);
    expect(r.overall.p).toBeCloseTo(9.942503222846786e-5, 14);
    expect(r.overall.ci!.lo).toBeCloseTo(1.2705413624559687, 10);
    expect(r.overall.ci!.hi).toBeCloseTo(1.5155713352178517, 10);
  });

  test('no degrees of freedom - estimate without test', () => {
    const r = logRatioTest([{ x: [10], y: [12] }]);
    expect(r.overall.ratio).toBeCloseTo(1.2, 12);
    expect([r.overall.p, r.overall.ci]).toEqual([null, null]);
  });

  test('non-positive values and welch with n=1 are domain errors', () => {
    expect(() => logRatioTest([{ x: [0, 1], y: [1, 2] }])).toThrow(StatsDomainError);
    expect(() => logRatioTest([{ x: [1], y: [1, 2] }], { variance: 'welch' })).toThrow(StatsDomainError);
  });
});
