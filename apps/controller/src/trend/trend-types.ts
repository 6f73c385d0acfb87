import type { Interval } from '@rigbench/shared';
import type { FingerprintDifference } from '../compare/compare-types.js';
import type { GroupDescriptor } from '../report/group-descriptor.js';
import type { Better } from '../report/report-metrics.js';
import type { TrendMetricName } from './trend-metrics.js';

/** Options of {@link buildTrend}. */
export interface TrendOptions {
  /** Figure followed (default `decode`). */
  metric?: TrendMetricName;
  /** Keep groups whose label contains every one of these texts (case-insensitive). */
  groups?: readonly string[];
  /** Family-wise false change point rate the penalty is built for (default 0.05). */
  alpha?: number;
  /** Steps smaller than this relative change are not reported (default 0.02 = 2 %). */
  minRelativeStep?: number;
  /** Confidence of intervals (default 0.95). */
  confidence?: number;
}

/** One run in the trend. */
export interface TrendRun {
  runId: string;
  label: string | null;
  /** ISO 8601. */
  startedAt: string;
  planName: string;
}

/** One group's figure in one run. */
export interface TrendPoint {
  runId: string;
  label: string | null;
  startedAt: string;
  /** Repetitions with a value. */
  n: number;
  /** Geometric mean of the repetitions, in the metric's base unit; null when n = 0. */
  level: number | null;
  /** t interval of the geometric mean (log scale, within-run noise only); null when n < 2. */
  ci: Interval | null;
  /** Fingerprint fields that differ from the previous run of this group with a fingerprint. */
  fingerprintChanges: FingerprintDifference[];
}

/** A change of level found statistically. */
export interface TrendStep {
  runId: string;
  label: string | null;
  startedAt: string;
  /** Level after / level before (the metric's own direction: > 1 means the number went up). */
  ratio: number;
  ci: Interval;
  before: number;
  after: number;
  /** Whether the change is an improvement for this metric. */
  better: boolean;
  /** Fingerprint changes at this very run: the likely cause; empty when nothing recorded changed. */
  fingerprintChanges: FingerprintDifference[];
  /** One line for people. */
  text: string;
}

/** One group's series. */
export interface TrendGroup {
  key: string;
  label: string;
  descriptor: GroupDescriptor;
  points: TrendPoint[];
  steps: TrendStep[];
  /** Levels between steps: first and last run of each. */
  segments: { fromRunId: string; toRunId: string; level: number }[];
  /** Penalty per change point, in −2 log-likelihood units. */
  penalty: number;
  /** Within-run log-scale sd (pooled over every group of the agent). */
  withinSd: number;
  /** Run-to-run log-scale sd beyond the repetitions; 0 when not estimated. */
  betweenSd: number;
  betweenEstimated: boolean;
}

/** Everything `rigbench trend` shows. */
export interface TrendResult {
  /** Metric id, e.g. `decodeTokensPerSecond`, `decodeTokensPerJoule`. */
  metric: string;
  metricLabel: string;
  /** Display unit; values are in the base unit, times `displayFactor` for display. */
  unit: string;
  displayFactor: number;
  /** Decimals shown for levels. */
  digits: number;
  better: Better;
  alpha: number;
  minRelativeStep: number;
  confidence: number;
  runs: TrendRun[];
  groups: TrendGroup[];
  /** Why figures are missing (e.g. no power source on an agent, from the fingerprints). */
  notes: string[];
  /** Runs left out, with the reason. */
  skipped: { runId: string; reason: string }[];
}
