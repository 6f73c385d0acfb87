/** Prometheus metrics of the agent: metric definitions and the `/metrics` HTTP server. */
export { AgentMetrics, METRIC_BUCKETS } from './agent-metrics.js';
export type { AgentMetricsOptions, AgentVersions, SampleLabels } from './agent-metrics.js';
export { MetricsServer, MetricsServerBindError } from './metrics-server.js';
export type { MetricsServerOptions, MetricsServerState } from './metrics-server.js';
