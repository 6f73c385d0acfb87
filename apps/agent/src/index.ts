/** @rigbench/agent — the benchmark agent: config, gRPC service, run supervisor, engine, events and metrics. */
export * from './config/index.js';
export * from './security/index.js';
export { AgentRuntime } from './service/agent-runtime.js';
export type { AgentEndpoints, AgentRuntimeOptions, AgentRuntimeState } from './service/agent-runtime.js';
export { createAgentLogger, silentAgentLogger } from './service/agent-logger.js';
export type { AgentLogger } from './service/agent-logger.js';
export { RunSupervisor, checkLimits } from './service/run-supervisor.js';
export type {
  AcceptedRun,
  CaseRunner,
  EventSink,
  RunSupervisorOptions,
  StartRunInput,
  SupervisorState,
} from './service/run-supervisor.js';
export * from './service/errors.js';
export { ModelCatalog } from './service/model-catalog.js';
export type { ModelFileEntry, GgufSummary } from './service/model-catalog.js';
export { AgentGrpcServer, AGENT_SERVICE_NAME } from './grpc/agent-grpc-server.js';
export { ACTIVE_RUNS_METADATA_KEY, VIOLATIONS_METADATA_KEY } from './grpc/status-mapping.js';
