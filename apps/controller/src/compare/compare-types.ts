import type { Interval } from '@rigbench/shared';
import type { Better, MetricId } from '../report/report-metrics.js';

/**
 * Metrics a comparison tests (per-sample rates and latencies). Energy efficiency (decode tokens per joule) is a
 * rate like the others, tested the same way; it appears only where both sides' samples have energy figures.
 */
export const COMPARE_METRIC_IDS = [
  'decodeTokensPerSecond',
  'promptTokensPerSecond',
  'ttftSeconds',
  'interTokenLatencyP50Seconds',
  'interTokenLatencyP90Seconds',
  'interTokenLatencyP99Seconds',
  'decodeTokensPerJoule',
] as const satisfies readonly MetricId[];

/** Metrics whose loss is a slowdown, what `--fail-on-regression` gates on (energy efficiency is not speed). */
export const SPEED_METRIC_IDS: readonly CompareMetricId[] = COMPARE_METRIC_IDS.filter(
  (m) => m !== 'decodeTokensPerJoule',
);
export type CompareMetricId = (typeof COMPARE_METRIC_IDS)[number];

/** Dimensions `compareWithin` can split a run by. */
export const COMPARE_BY = [
  'backend',
  'model',
  'devices',
  'agent',
  'threads',
  'gpuLayers',
  'contextSize',
  'batchSize',
  'flashAttention',
  'kvCacheType',
] as const;
export type CompareBy = (typeof COMPARE_BY)[number];

export type Verdict = 'faster' | 'slower' | 'no-difference' | 'insufficient-data';

/** One side of a metric comparison. */
export interface SideFigures {
  n: number;
  /** Geometric mean, in the metric's base unit. */
  geometricMean: number;
  median: number;
}

/** B against A on one metric, direction aware. */
export interface MetricComparison {
  metric: CompareMetricId;
  better: Better;
  a: SideFigures;
  b: SideFigures;
  /**
   * How much faster B is than A as a factor (> 1: B better): B/A of geometric means for rates, A/B for
   * latencies, so "faster" always means "better".
   */
  speedRatio: number;
  /** Confidence interval of `speedRatio`; null when no test was possible. */
  ci: Interval | null;
  p: number | null;
  df: number;
  /**
   * `between-rounds`: Welch on log round means (both sides have two rounds or more: the round is the unit);
   * `pooled` / `welch`: the log-ratio test on repetitions, used when a side has one round: it cannot tell a
   * session effect from a real difference, and the text says so.
   */
  method: 'pooled' | 'welch' | 'between-rounds';
  /** Rounds behind each side (runs, or plan rounds). */
  rounds: { a: number; b: number };
  verdict: Verdict;
  /** One line: `B is 38.8% faster than A (95% CI 27.1..51.6%, p<0.001)` or `no significant difference (p=…)`. */
  text: string;
}

/** One matched stratum (a test such as `chat:q1`) inside a unit. */
export interface StratumComparison {
  test: string;
  aLabel: string;
  bLabel: string;
  metrics: MetricComparison[];
}

/** A field whose values differ between the A and B fingerprints of a unit. */
export interface FingerprintDifference {
  field: string;
  a: string[];
  b: string[];
}

/** Everything compared between two matched configurations (all their common tests). */
export interface UnitComparison {
  /** What the two sides share, e.g. `llama-8b d0,1`. */
  label: string;
  aName: string;
  bName: string;
  /**
   * What both sides share, as `dimension value` lines, and what the compared dimension implies (the CPU backend
   * runs with no devices and 0 GPU layers, so those are not held fixed when backends are compared).
   */
  heldFixed: string[];
  strata: StratumComparison[];
  /** All strata together (equal weights on the log scale). */
  overall: MetricComparison[];
  fingerprintDifferences: FingerprintDifference[];
}

/** A group whose spread is too wide to trust small differences. */
export interface VariationFlag {
  side: 'A' | 'B';
  /** Run (label or id) for compareRuns; the compared value for compareWithin. */
  sideName: string;
  group: string;
  metric: CompareMetricId;
  n: number;
  cv: number;
  /** Rounds (runs, or plan rounds) behind the group. */
  rounds: number;
  /** sd of the log round means (warm-up outliers left out); null with one round. */
  betweenRoundSd: number | null;
  /**
   * Rounds per side a two-sided test at 0.05 needs for 80 % power to show a `targetMargin` difference at this
   * between-round spread (see roundsNeeded in @rigbench/shared); null with one round (the spread is unknown).
   */
  roundsNeeded: number | null;
}

export interface CompareOptions {
  /** Significance level (default 0.05). */
  alpha?: number;
  /** Interval confidence (default 0.95). */
  confidence?: number;
  /** Coefficient of variation above which a group is flagged (default 0.10 = 10 %). */
  cvThreshold?: number;
  /** Smallest relative difference the rounds advice plans to detect (default 0.05 = 5 %). */
  targetMargin?: number;
  metrics?: readonly CompareMetricId[];
  /** `auto` (default), `pooled` or `welch`: see logRatioTest in @rigbench/shared. */
  variance?: 'auto' | 'pooled' | 'welch';
  /** compareRuns: descriptor dimensions not used to match groups (e.g. `agentId` to compare two machines). */
  ignore?: readonly ('agentId' | 'model' | 'backend' | 'devices' | 'threads' | 'settings')[];
  /** compareWithin: the value used as A (default: the first one in plan order). */
  baseline?: string;
}

export interface ComparisonResult {
  kind: 'runs' | 'within';
  /** Human title, e.g. `A = seed-morning (morning), B = seed-night (night)`. */
  title: string;
  by: CompareBy | null;
  alpha: number;
  confidence: number;
  cvThreshold: number;
  targetMargin: number;
  units: UnitComparison[];
  /** Groups present on one side only. */
  unmatched: { side: 'A' | 'B'; group: string }[];
  variation: VariationFlag[];
  /** Every fingerprint field that differs in any unit, merged. */
  fingerprintDifferences: FingerprintDifference[];
}

/** A significant slowdown beyond the threshold. */
export interface Regression {
  unit: string;
  /** A test, or `all tests`. */
  scope: string;
  metric: CompareMetricId;
  /** Percent slower (positive). */
  slowerByPercent: number;
  /** p-value the decision used (Holm-adjusted unless the correction was turned off). */
  p: number;
  text: string;
}
