/** Statistical comparisons of runs and of configurations within a run. */
export {
  COMPARE_BY,
  COMPARE_METRIC_IDS,
  type CompareBy,
  type CompareMetricId,
  type CompareOptions,
  type ComparisonResult,
  type FingerprintDifference,
  type MetricComparison,
  type Regression,
  type SideFigures,
  type StratumComparison,
  type UnitComparison,
  type VariationFlag,
  type Verdict,
} from './compare-types.js';
export {
  compareRuns,
  compareWithin,
  UnknownBaselineError,
  UnknownCompareDimensionError,
} from './compare-runs.js';
export { regressions, holmAdjust, type RegressionOptions } from './regressions.js';
export {
  renderComparison,
  renderComparisonMarkdown,
  renderComparisonJson,
  COMPARISON_FORMATS,
  UnknownComparisonFormatError,
  type ComparisonFormat,
} from './render-comparison.js';
