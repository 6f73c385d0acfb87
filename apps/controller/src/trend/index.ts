/** Drift over days: each group's figure per run, fingerprint changes and statistical change points. */
export { TREND_METRICS, type TrendMetricInfo, type TrendMetricName } from './trend-metrics.js';
export {
  type TrendGroup,
  type TrendOptions,
  type TrendPoint,
  type TrendResult,
  type TrendRun,
  type TrendStep,
} from './trend-types.js';
export { buildTrend } from './build-trend.js';
export { loadTrendDatasets, MAX_TREND_RUNS, type TrendRunSelection } from './trend-runs.js';
export {
  renderTrend,
  renderTrendJson,
  renderTrendMarkdown,
  TREND_FORMATS,
  UnknownTrendFormatError,
  type TrendFormat,
} from './render-trend.js';
export { renderTrendHtml } from './render-trend-html.js';
export { trendChart, MAX_CHART_RUNS } from './trend-chart.js';
