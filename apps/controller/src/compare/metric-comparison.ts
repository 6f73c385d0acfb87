import {
  compareByRounds,
  logRatioTest,
  type Interval,
  type RatioEstimate,
  type RoundSample,
} from '@rigbench/shared';
import { METRICS } from '../report/report-metrics.js';
import { pValue } from '../report/number-format.js';
import type { CompareMetricId, MetricComparison, SideFigures, Verdict } from './compare-types.js';

/** Values of one metric for both sides of one stratum (base units, all > 0), and the same split by round. */
export interface StratumValues {
  x: Float64Array;
  y: Float64Array;
  xRounds?: readonly RoundSample[];
  yRounds?: readonly RoundSample[];
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
  c: Pick<
    MetricComparison,
    'metric' | 'speedRatio' | 'ci' | 'p' | 'verdict' | 'a' | 'b' | 'method' | 'rounds'
  >,
  aName: string,
  bName: string,
  confidence: number,
): string {
  const text = verdictText(c, aName, bName, confidence);
  if (c.method === 'between-rounds' || c.verdict === 'insufficient-data') return text;
  const one = [c.rounds.b < 2 ? bName : '', c.rounds.a < 2 ? aName : ''].filter((n) => n !== '');
  return (
    `${text}; from repetitions only: ${one.join(' and ')} ${one.length === 1 ? 'has' : 'have'} one round, so a ` +
    "session effect can't be told apart from a real difference (run more rounds: the plan's `rounds:`)"
  );
}

/** How a better and a worse side read: speed for rates and latencies, efficiency for tokens per joule. */
function wordsFor(metric: MetricComparison['metric']): { up: string; down: string } {
  return metric === 'decodeTokensPerJoule'
    ? { up: 'more efficient per token', down: 'less efficient per token' }
    : { up: 'faster', down: 'slower' };
}

function verdictText(
  c: Pick<MetricComparison, 'metric' | 'speedRatio' | 'ci' | 'p' | 'verdict' | 'a' | 'b'>,
  aName: string,
  bName: string,
  confidence: number,
): string {
  const level = `${Math.round(confidence * 100)}% CI`;
  const { up, down } = wordsFor(c.metric);
  switch (c.verdict) {
    case 'insufficient-data':
      return `not testable: ${bName} n=${c.b.n}, ${aName} n=${c.a.n}; needs at least 2 repetitions on one side`;
    case 'faster':
      return `${bName} is ${pct(c.speedRatio - 1)}% ${up} than ${aName} (${level} ${pct(c.ci!.lo - 1)}..${pct(c.ci!.hi - 1)}%, ${pValue(c.p!)})`;
    case 'slower':
      return `${bName} is ${pct(1 - c.speedRatio)}% ${down} than ${aName} (${level} ${pct(1 - c.ci!.hi)}..${pct(1 - c.ci!.lo)}%, ${pValue(c.p!)})`;
    case 'no-difference': {
      const bound = (r: number): string => (r >= 1 ? `${pct(r - 1)}% ${up}` : `${pct(1 - r)}% ${down}`);
      const estimate = bound(c.speedRatio);
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
  method: MetricComparison['method'],
  rounds: MetricComparison['rounds'],
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
  const partial = { metric, better, a, b, speedRatio, ci, p: est.p, df: est.df, method, rounds, verdict };
  return { ...partial, text: comparisonText(partial, names.a, names.b, confidence) };
}

/**
 * With two rounds or more on both sides of every stratum, the estimates with the round as the unit (Welch on log
 * round means, see compareByRounds); otherwise null and the repetitions-level test stands, labelled as such.
 */
function roundEstimates(
  used: readonly StratumValues[],
  confidence: number,
): { overall: RatioEstimate; strata: RatioEstimate[] } | null {
  if (!used.every((s) => (s.xRounds?.length ?? 0) >= 2 && (s.yRounds?.length ?? 0) >= 2)) return null;
  const r = compareByRounds(
    used.map((s) => s.xRounds!),
    used.map((s) => s.yRounds!),
    { confidence },
  );
  if (r.overall.p === null) return null;
  const asRatio = (e: (typeof r.strata)[number]): RatioEstimate => ({
    ratio: e.ratio,
    ci: e.ci,
    p: e.p,
    t: null,
    df: e.df ?? 0,
    standardError: null,
  });
  return { overall: asRatio(r.overall), strata: r.strata.map(asRatio) };
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
  const byRounds = roundEstimates(used, options.confidence);
  const method = byRounds ? ('between-rounds' as const) : result.method;
  const roundsOf = (s: StratumValues): MetricComparison['rounds'] => ({
    a: s.xRounds?.length ?? 1,
    b: s.yRounds?.length ?? 1,
  });
  let j = 0;
  const perStratum = strata.map((s, i) => {
    if (!usable[i]) return null;
    const k = j++;
    return toComparison(
      metric,
      byRounds ? byRounds.strata[k]! : result.strata[k]!,
      method,
      roundsOf(s),
      figures(s.x),
      figures(s.y),
      names,
      options.alpha,
      options.confidence,
    );
  });
  const overall = toComparison(
    metric,
    byRounds ? byRounds.overall : result.overall,
    method,
    {
      a: Math.min(...used.map((s) => roundsOf(s).a)),
      b: Math.min(...used.map((s) => roundsOf(s).b)),
    },
    figures(concat(used.map((s) => s.x))),
    figures(concat(used.map((s) => s.y))),
    names,
    options.alpha,
    options.confidence,
  );
  return { overall, strata: perStratum };
}
