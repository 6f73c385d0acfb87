/**
 * @rigbench/shared — what the agent and the controller both need: the benchmark plan model, event types,
 * proto loading, statistics and the synthetic GGUF writer.
 */
export { RIGBENCH_VERSION } from './version.js';
export * from './plan/plan-model.js';
export type { Sample, FinishReason } from './measurement/sample.js';
export { FINISH_REASONS, sampleSchema } from './measurement/sample.js';
export type { EnergySources, PhaseEnergy, SampleEnergy, SourceEnergy } from './measurement/energy.js';
export { decodeWatts } from './measurement/energy.js';
export type { Fingerprint, GpuFacts, ModelFacts, OffloadFacts } from './measurement/fingerprint.js';
export { backendLabel, ranOnSoftwareDevice } from './measurement/fingerprint.js';
export type { DeviceKind } from './measurement/device-kind.js';
export {
  DEVICE_KINDS,
  classifyDevice,
  isHardwareDeviceKind,
  isSoftwareDeviceName,
} from './measurement/device-kind.js';
export * from './events/event-types.js';
export * from './proto/load-proto.js';
/** Generated rigbench.v1 message types, e.g. `AgentRpc.AgentInfo__Output` (a namespace: names like `Gpu` are common). */
export type * as AgentRpc from './proto/agent-types.js';
export * from './events/parse-event.js';
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
export * from './stats/index.js';
