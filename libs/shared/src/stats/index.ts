/** Statistics for benchmark results: descriptive summaries, intervals, two-sample tests, run planning. */
export * from './stats-errors.js';
export * from './descriptive.js';
export * from './special-functions.js';
export * from './normal-distribution.js';
export * from './t-distribution.js';
export * from './confidence-interval.js';
export * from './order-statistics.js';
export * from './summary.js';
export * from './welch-t-test.js';
export * from './mann-whitney.js';
export * from './bootstrap.js';
export * from './repetitions.js';
export * from './log-ratio-test.js';
export * from './change-points.js';
export * from './between-rounds.js';
