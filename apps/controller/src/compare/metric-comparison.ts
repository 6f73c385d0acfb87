import { logRatioTest, type Interval, type RatioEstimate } from '@rigbench/shared';
import { METRICS } from '../report/report-metrics.js';
import { pValue } from '../report/number-format.js';
import type { CompareMetricId, MetricComparison, SideFigures, Verdict } from './compare-types.js';

/** Values of one metric for both sides of one stratum (base units, all > 0). */
export interface StratumValues {
  x: Float64Array;
  y: Float64Array;
}

function figures(values: Float64Array): SideFigures {
  let logSum = 0;
  for (let i = 0; i < values.length; i++) logSum += Math.log(values[i]!);
  const sorted = Float64Array.from(values).sort();
  const h = (sorted.length - 1) / 2;
  const median = (sorted[Math.floor(h)]! + sorted[Math.ceil(h)]!) / 2;
  return { n: values.length, geometricMean: Math.exp(logSum / values.length), median };
}

/** Pools several strata's values for the side figures of an overall comparison. */
function concat(arrays: Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const a of arrays) {
    out.set(a, o);
    o += a.length;
  }
  return out;
}

const pct = (fraction: number): string => (fraction * 100).toFixed(1);

/** The sentence for one comparison, direction aware. */
export function comparisonText(
  c: Pick<MetricComparison, 'speedRatio' | 'ci' | 'p' | 'verdict' | 'a' | 'b'>,
  aName: string,
  bName: string,
  confidence: number,
): string {
  const level = `${Math.round(confidence * 100)}% CI`;
  switch (c.verdict) {
    case 'insufficient-data':
      return `not testable: ${bName} n=${c.b.n}, ${aName} n=${c.a.n}; needs at least 2 repetitions on one side`;
    case 'faster':
      return `${bName} is ${pct(c.speedRatio - 1)}% faster than ${aName} (${level} ${pct(c.ci!.lo - 1)}..${pct(c.ci!.hi - 1)}%, ${pValue(c.p!)})`;
    case 'slower':
      return `${bName} is ${pct(1 - c.speedRatio)}% slower than ${aName} (${level} ${pct(1 - c.ci!.hi)}..${pct(1 - c.ci!.lo)}%, ${pValue(c.p!)})`;
    case 'no-difference': {
      const estimate =
        c.speedRatio >= 1 ? `${pct(c.speedRatio - 1)}% faster` : `${pct(1 - c.speedRatio)}% slower`;
      const bound = (r: number): string => (r >= 1 ? `${pct(r - 1)}% faster` : `${pct(1 - r)}% slower`);
      return (
        `no significant difference (${pValue(c.p!)}; estimate ${bName} ${estimate} than ${aName}, ` +
        `${level} ${bound(c.ci!.lo)} to ${bound(c.ci!.hi)})`
      );
    }
  }
}

function toComparison(
  metric: CompareMetricId,
  est: RatioEstimate,
  method: 'pooled' | 'welch',
  a: SideFigures,
  b: SideFigures,
  names: { a: string; b: string },
  alpha: number,
  confidence: number,
): MetricComparison {
  const better = METRICS[metric].better;
  // The test is on y / x; for latencies "faster" is the inverse.
  const invert = better === 'lower';
  const speedRatio = invert ? 1 / est.ratio : est.ratio;
  const ci: Interval | null = est.ci ? (invert ? { lo: 1 / est.ci.hi, hi: 1 / est.ci.lo } : est.ci) : null;
  let verdict: Verdict;
  if (est.p === null) verdict = 'insufficient-data';
  else if (est.p < alpha) verdict = speedRatio > 1 ? 'faster' : 'slower';
  else verdict = 'no-difference';
  const partial = { metric, better, a, b, speedRatio, ci, p: est.p, df: est.df, method, verdict };
  return { ...partial, text: comparisonText(partial, names.a, names.b, confidence) };
}

/**
 * Compares one metric over matched strata: a log-ratio t-test per stratum and over all strata.
 * Returns null when no stratum has values on both sides.
 */
export function compareMetric(
  metric: CompareMetricId,
  strata: readonly StratumValues[],
  names: { a: string; b: string },
  options: { alpha: number; confidence: number; variance: 'auto' | 'pooled' | 'welch' },
): { overall: MetricComparison; strata: (MetricComparison | null)[] } | null {
  const usable = strata.map((s) => s.x.length > 0 && s.y.length > 0);
  const used = strata.filter((_, i) => usable[i]);
  if (used.length === 0) return null;
  const variance =
    options.variance === 'welch' && !used.every((s) => s.x.length >= 2 && s.y.length >= 2)
      ? 'pooled'
      : options.variance;
  const result = logRatioTest(used, { variance, confidence: options.confidence });
  let j = 0;
  const perStratum = strata.map((s, i) => {
    if (!usable[i]) return null;
    return toComparison(
      metric,
      result.strata[j++]!,
      result.method,
      figures(s.x),
      figures(s.y),
      names,
      options.alpha,
      options.confidence,
    );
  });
  const overall = toComparison(
    metric,
    result.overall,
    result.method,
    figures(concat(used.map((s) => s.x))),
    figures(concat(used.map((s) => s.y))),
    names,
    options.alpha,
    options.confidence,
  );
  return { overall, strata: perStratum };
}
