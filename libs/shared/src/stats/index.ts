/** Statistics for benchmark results: descriptive summaries, intervals, two-sample tests, run planning. */
export { InsufficientDataError, StatsDomainError } from './stats-errors.js';
export {
  coefficientOfVariation,
  max,
  mean,
  median,
  min,
  neumaierSum,
  percentile,
  quantile,
  quantileSorted,
  sortedCopy,
  standardDeviation,
  variance,
} from './descriptive.js';
export { logGamma, regularizedIncompleteBeta, regularizedUpperGamma } from './special-functions.js';
export { normalCdf, normalQuantile, normalSf } from './normal-distribution.js';
export { tCdf, tPdf, tQuantile, tSf, tTwoSidedP } from './t-distribution.js';
export {
  checkConfidence,
  geometricMeanInterval,
  type Interval,
  meanConfidenceInterval,
  meanConfidenceIntervalFromSummary,
} from './confidence-interval.js';
export { quantilesInPlace, selectInPlace } from './order-statistics.js';
export { summarize, summarizeInPlace, summarizeSorted, type Summary } from './summary.js';
export {
  type MomentSummary,
  NoVarianceError,
  type WelchResult,
  welchTTest,
  welchTTestFromSummary,
} from './welch-t-test.js';
export { type MannWhitneyMethod, type MannWhitneyResult, mannWhitneyU } from './mann-whitney.js';
export {
  bootstrapMedianInterval,
  type BootstrapOptions,
  type BootstrapResult,
  type BootstrapStatistic,
} from './bootstrap.js';
export { MAX_REPETITIONS, repetitionsNeeded } from './repetitions.js';
export {
  figureResolution,
  type LogRatioResult,
  logRatioTest,
  type LogRatioVariance,
  type RatioEstimate,
  type RatioStratum,
} from './log-ratio-test.js';
export {
  type ChangePoint,
  type ChangePointBlock,
  type ChangePointOptions,
  changePointPenalty,
  type ChangePointResult,
  type ChangePointSegment,
  detectChangePoints,
} from './change-points.js';
export {
  type BetweenRoundEstimate,
  type BetweenRoundOptions,
  compareByRounds,
  MAX_ROUNDS,
  type RoundSample,
  roundsNeeded,
  withoutWarmupOutlier,
} from './between-rounds.js';
