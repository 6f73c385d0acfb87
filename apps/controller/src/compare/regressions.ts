import type { ComparisonResult, MetricComparison, Regression } from './compare-types.js';
import { METRICS } from '../report/report-metrics.js';

/**
 * Significant slowdowns of B against A by more than `thresholdPercent` (point estimate beyond the threshold and
 * p below the comparison's alpha), per test and over all tests: what `compare --fail-on-regression PCT` fails on.
 */
export function regressions(result: ComparisonResult, thresholdPercent: number): Regression[] {
  const out: Regression[] = [];
  const check = (unit: string, scope: string, m: MetricComparison): void => {
    if (m.verdict !== 'slower' || m.p === null) return;
    const slowerBy = (1 - m.speedRatio) * 100;
    if (slowerBy <= thresholdPercent) return;
    out.push({
      unit,
      scope,
      metric: m.metric,
      slowerByPercent: slowerBy,
      p: m.p,
      text: `${unit} ${scope} ${METRICS[m.metric].label}: ${m.text}`,
    });
  };
  for (const u of result.units) {
    for (const m of u.overall) check(u.label, 'all tests', m);
    for (const s of u.strata) for (const m of s.metrics) check(u.label, s.test, m);
  }
  return out;
}
