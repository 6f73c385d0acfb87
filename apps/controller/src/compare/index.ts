/** Statistical comparisons of runs and of configurations within a run. */
export * from './compare-types.js';
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
