import {
  SPEED_METRIC_IDS,
  type ComparisonResult,
  type MetricComparison,
  type Regression,
} from './compare-types.js';
import { METRICS } from '../report/report-metrics.js';

export interface RegressionOptions {
  /**
   * `holm` (default): a slowdown counts only if its Holm–Bonferroni adjusted p-value, over every test in the
   * comparison (all metrics, per test and overall), is below the comparison's alpha, so a CI gate does not
   * fail on one chance result among dozens of tests. `none`: each test's own p-value.
   */
  correction?: 'holm' | 'none';
}

interface Tested {
  unit: string;
  scope: string;
  m: MetricComparison & { p: number };
}

/** Holm–Bonferroni adjusted p-values (monotone step-down), in input order. */
export function holmAdjust(ps: readonly number[]): number[] {
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const adjusted = new Array<number>(ps.length);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (ps.length - rank) * p));
    adjusted[i] = running;
  });
  return adjusted;
}

/**
 * Significant slowdowns of B against A by more than `thresholdPercent` (point estimate beyond the threshold,
 * p — Holm-adjusted by default — below the comparison's alpha), per test and over all tests: what
 * `compare --fail-on-regression PCT` fails on.
 */
export function regressions(
  result: ComparisonResult,
  thresholdPercent: number,
  options: RegressionOptions = {},
): Regression[] {
  const tested: Tested[] = [];
  // Slowdowns only: energy efficiency is reported, not gated on (nor counted in the Holm family).
  const speed = (m: MetricComparison): m is MetricComparison & { p: number } =>
    m.p !== null && SPEED_METRIC_IDS.includes(m.metric);
  for (const u of result.units) {
    for (const m of u.overall) if (speed(m)) tested.push({ unit: u.label, scope: 'all tests', m });
    for (const s of u.strata)
      for (const m of s.metrics) if (speed(m)) tested.push({ unit: u.label, scope: s.test, m });
  }
  const ps =
    (options.correction ?? 'holm') === 'holm'
      ? holmAdjust(tested.map((t) => t.m.p))
      : tested.map((t) => t.m.p);
  const out: Regression[] = [];
  tested.forEach(({ unit, scope, m }, i) => {
    const slowerBy = (1 - m.speedRatio) * 100;
    if (m.speedRatio >= 1 || slowerBy <= thresholdPercent || !(ps[i]! < result.alpha)) return;
    out.push({
      unit,
      scope,
      metric: m.metric,
      slowerByPercent: slowerBy,
      p: ps[i]!,
      text: `${unit} ${scope} ${METRICS[m.metric].label}: ${m.text}`,
    });
  });
  return out;
}
