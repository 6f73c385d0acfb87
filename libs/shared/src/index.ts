/**
 * @rigbench/shared — what the agent and the controller both need: the benchmark plan model, event types,
 * proto loading, statistics, the synthetic GGUF writer, the NATS layer and the `Logger` interface.
 */
export { RIGBENCH_VERSION } from './version.js';
export {
  type Backend,
  BACKENDS,
  type BenchCase,
  type BenchPlan,
  CASE_ORDERS,
  type CaseOrder,
  type CaseWorkload,
  type ChatPrompt,
  type GenerationSettings,
  type GpuLayers,
  KV_CACHE_TYPES,
  type KvCacheType,
  LLAMA_BUILDS,
  type LlamaBuild,
  type LoadSettings,
  type ModelRef,
  type PlanMatrix,
  type PlanSchedule,
  type PlanTargets,
  type RawTest,
  type Threads,
} from './plan/plan-model.js';
export type { Sample, FinishReason } from './measurement/sample.js';
export { FINISH_REASONS, sampleSchema } from './measurement/sample.js';
export type {
  EnergySources,
  LevelSourceEnergy,
  LoadLevelEnergy,
  PhaseEnergy,
  SampleEnergy,
  SourceEnergy,
} from './measurement/energy.js';
export { decodeWatts, loadLevelWatts } from './measurement/energy.js';
export type {
  Fingerprint,
  GpuFacts,
  ModelFacts,
  OffloadFacts,
  ThreadPoolFacts,
} from './measurement/fingerprint.js';
export { backendLabel, ranOnSoftwareDevice } from './measurement/fingerprint.js';
export type { DeviceKind } from './measurement/device-kind.js';
export {
  DEVICE_KINDS,
  classifyDevice,
  isHardwareDeviceKind,
  isSoftwareDeviceName,
} from './measurement/device-kind.js';
export {
  type AgentHeartbeat,
  agentInboxPrefix,
  CASE_OUTCOMES,
  type CaseFinishedEvent,
  type CaseOutcome,
  type CaseStartedEvent,
  EVENT_SCHEMA_VERSION,
  EVENT_STREAM,
  EVENT_SUBJECT_PREFIX,
  eventMessageId,
  type EventPayload,
  eventSubject,
  HEARTBEAT_SUBJECT_PREFIX,
  heartbeatSubject,
  type RigbenchEvent,
  type RigbenchEventType,
  RUN_OUTCOMES,
  type RunAcceptedEvent,
  type RunFinishedEvent,
  type RunOutcome,
  type SampleRecordedEvent,
  type ModelDownloadEvent,
  type LoadLevelRecordedEvent,
} from './events/event-types.js';
export type {
  LatencySummary,
  LoadLevelRecord,
  LoadRequestRecord,
  LoadSummary,
} from './measurement/load-level.js';
export {
  AGENT_PROTO_FILE,
  findProtoDir,
  loadAgentPackageDefinition,
  loadAgentProto,
  PROTO_LOADER_OPTIONS,
  type ProtoGrpcType,
  ProtoNotFoundError,
} from './proto/load-proto.js';
export type { Logger } from './logging/logger.js';
export { silentLogger } from './logging/logger.js';
/** The NATS layer: subjects, config section, connection options, stream provisioning, JetStream error kinds. */
export { EVENT_STREAM_SUBJECTS, HEARTBEAT_SUBJECTS } from './nats/nats-subjects.js';
export type {
  CompileNatsOptions,
  NatsConfig,
  NatsConfigSchema,
  NatsSchemaLeaf,
  NatsTlsFiles,
  RawNatsConfig,
  RenamedKeyUse,
} from './nats/nats-config.js';
export {
  compileNatsConfig,
  findRenamedNatsKeys,
  MAX_STREAM_REPLICAS,
  NatsConfigError,
  natsConfigSchema,
  RENAMED_NATS_KEYS,
  renamedKeysMessage,
  splitNatsServers,
} from './nats/nats-config.js';
export type { NatsClientIdentity, NatsConnectionSettings } from './nats/nats-connect-options.js';
export {
  isNatsAuthFailure,
  NATS_CONNECT_TIMEOUT_MS,
  natsConnectOptions,
  NatsCredentialsError,
} from './nats/nats-connect-options.js';
export type { JetStreamErrorClass, JetStreamErrorKind } from './nats/jetstream-errors.js';
export {
  classifyJetStreamError,
  JETSTREAM_ERROR_CODES,
  jetStreamErrorKind,
} from './nats/jetstream-errors.js';
export type { EventStreamSettings, StreamProvisioning } from './nats/event-stream.js';
export {
  DUPLICATE_WINDOW_DEFAULT_MS,
  DUPLICATE_WINDOW_MIN_MS,
  ensureEventStream,
  eventStreamConfig,
  StreamProvisioningError,
} from './nats/event-stream.js';
/** Generated rigbench.v1 message types, e.g. `AgentRpc.AgentInfo__Output` (a namespace: names like `Gpu` are common). */
export type * as AgentRpc from './proto/agent-types.js';
export { MalformedEventError, parseEvent, UnsupportedEventVersionError } from './events/parse-event.js';
export { eventSchema } from './events/event-schema.js';
export { compileValidator, UnsupportedSchemaError } from './events/compile-validator.js';
export { parsePlanYaml, validatePlan } from './plan/plan-parser.js';
export { PlanValidationError, formatPlanIssue, formatPlanIssues } from './plan/plan-errors.js';
export type { PlanIssue } from './plan/plan-errors.js';
export {
  countPlanCases,
  expandPlan,
  planSummary,
  formatPlanSummary,
  loadSettingsKey,
} from './plan/plan-expansion.js';
export type { PlanSummary } from './plan/plan-expansion.js';
export { canonicalPlanHash } from './plan/plan-hash.js';
export { planSchema, PLAN_DEFAULTS, PLAN_LIMITS } from './plan/plan-schema.js';
export { CREDENTIAL_MASK, maskUrlCredentials } from './security/mask-credentials.js';
export {
  synthesizeGguf,
  synthModelSizeBytes,
  SYNTH_TENSOR_TYPES,
  SYNTH_DEFAULT_SEED,
  SYNTH_DEFAULT_TYPE,
  SYNTH_CHAT_TEMPLATE,
} from './gguf/synthesize-model.js';
export type { SynthOptions, SynthResult, SynthTensorType } from './gguf/synthesize-model.js';
export { SYNTH_PRESETS } from './gguf/synth-presets.js';
export type { SynthPreset, SynthPresetName } from './gguf/synth-presets.js';
export { ensureSynthModel, synthModelFileName } from './gguf/ensure-synth-model.js';
export type { EnsureSynthModelOptions } from './gguf/ensure-synth-model.js';
export { writeGguf } from './gguf/gguf-writer.js';
export type { GgufTensorSource, GgufWriteOptions, GgufWriteResult } from './gguf/gguf-writer.js';
export type { GgufTensorSpec } from './gguf/gguf-header.js';
export { gguf, ggufMetadataToPlain } from './gguf/gguf-metadata.js';
export type { GgufMetadata, GgufMetadataValue } from './gguf/gguf-metadata.js';
export {
  GgufMetadataValueError,
  GgufTensorShapeError,
  GgufTensorDataSizeError,
  SynthModelOptionsError,
} from './gguf/errors.js';
/** Statistics: summaries, t and normal distributions, Welch, Mann–Whitney, bootstrap, repetitions needed. */
export {
  type BetweenRoundEstimate,
  type BetweenRoundOptions,
  bootstrapMedianInterval,
  type BootstrapOptions,
  type BootstrapResult,
  type BootstrapStatistic,
  type ChangePoint,
  type ChangePointBlock,
  type ChangePointOptions,
  changePointPenalty,
  type ChangePointResult,
  type ChangePointSegment,
  checkConfidence,
  coefficientOfVariation,
  compareByRounds,
  detectChangePoints,
  figureResolution,
  geometricMeanInterval,
  InsufficientDataError,
  type Interval,
  logGamma,
  type LogRatioResult,
  logRatioTest,
  type LogRatioVariance,
  type MannWhitneyMethod,
  type MannWhitneyResult,
  mannWhitneyU,
  max,
  MAX_REPETITIONS,
  MAX_ROUNDS,
  mean,
  meanConfidenceInterval,
  meanConfidenceIntervalFromSummary,
  median,
  min,
  type MomentSummary,
  neumaierSum,
  normalCdf,
  normalQuantile,
  normalSf,
  NoVarianceError,
  percentile,
  quantile,
  quantilesInPlace,
  quantileSorted,
  type RatioEstimate,
  type RatioStratum,
  regularizedIncompleteBeta,
  regularizedUpperGamma,
  repetitionsNeeded,
  type RoundSample,
  roundsNeeded,
  selectInPlace,
  sortedCopy,
  standardDeviation,
  StatsDomainError,
  summarize,
  summarizeInPlace,
  summarizeSorted,
  type Summary,
  tCdf,
  tPdf,
  tQuantile,
  tSf,
  tTwoSidedP,
  variance,
  type WelchResult,
  welchTTest,
  welchTTestFromSummary,
  withoutWarmupOutlier,
} from './stats/index.js';
export { SeededRandom, seededDraws } from './random/seeded-random.js';
