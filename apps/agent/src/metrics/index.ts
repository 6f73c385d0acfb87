/** Prometheus metrics of the agent: metric definitions and the `/metrics` HTTP server. */
export { AgentMetrics } from './agent-metrics.js';
export { METRIC_BUCKETS, FINE_BUCKET_RATIO, geometricBuckets } from './metric-buckets.js';
export { CaseResultGauges, CASE_LABELS } from './case-result-gauges.js';
export type { CaseLabelValues } from './case-result-gauges.js';
export { LoadLevelGauges, LOAD_LEVEL_LABELS } from './load-level-gauges.js';
export { DeliveryMetrics } from './delivery-metrics.js';
export type { DeadLetterReason } from './delivery-metrics.js';
export type { AgentMetricsOptions, AgentVersions, SampleLabels } from './agent-metrics.js';
export { MetricsServer, MetricsServerBindError } from './metrics-server.js';
export type { MetricsServerOptions, MetricsServerState } from './metrics-server.js';
