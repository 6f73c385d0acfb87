/** @rigbench/agent — the benchmark agent: config, gRPC service, run supervisor, engine, events and metrics. */
export {
  type AgentConfig,
  agentConfigSchema,
  type AgentLimits,
  type AgentTlsConfig,
  type CommandLineRequest,
  compileAgentConfig,
  type CompileOptions,
  ConfigFileError,
  type ConfigKeyDoc,
  ConfigValueError,
  defaultAgentId,
  describeConfigKeys,
  ENV_PREFIX,
  helpText,
  type HostPort,
  InsecureListenError,
  isLoopbackHost,
  type LoadConfigInput,
  type LoadedRawConfig,
  loadRawAgentConfig,
  MASK,
  maskedConfigJson,
  META_FLAGS,
  MIN_TOKEN_LENGTH,
  parseHostPort,
  parseLabels,
  type RawAgentConfig,
  UnknownFlagError,
} from './config/index.js';
export {
  type AuthVerdict,
  BearerTokenVerifier,
  checkDownloadAllowed,
  type DownloadPlanner,
  type DownloadPolicy,
  freeBytes,
  guardedUriResolver,
  hfRepo,
  ModelDownloadError,
  ModelDownloadRefusedError,
  ModelNotFoundError,
  ModelOutsideModelsDirError,
  ModelReferenceError,
  ModelReferenceInvalidError,
  type ModelUriResolver,
  nodeLlamaCppDownloadPlanner,
  type PlannedDownload,
  resolveModelPath,
  type ResolveModelPathOptions,
  serverCredentials,
  TlsFileError,
} from './security/index.js';
export { AgentRuntime } from './service/agent-runtime.js';
export type { AgentEndpoints, AgentRuntimeOptions, AgentRuntimeState } from './service/agent-runtime.js';
export { createAgentLogger } from './service/agent-logger.js';
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
export {
  AgentBusyError,
  AgentShuttingDownError,
  LimitExceededError,
  PlanRejectedError,
  RunExistsError,
  RunModelError,
  RunNotFoundError,
  type RunRequestViolation,
} from './service/errors.js';
export { ModelCatalog } from './service/model-catalog.js';
export type { ModelFileEntry, GgufSummary } from './service/model-catalog.js';
export { AgentGrpcServer, AGENT_SERVICE_NAME } from './grpc/agent-grpc-server.js';
export { ACTIVE_RUNS_METADATA_KEY, VIOLATIONS_METADATA_KEY } from './grpc/status-mapping.js';
