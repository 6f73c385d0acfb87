/** The generated gRPC message and service types of rigbench.v1, re-exported under one roof (`AgentRpc` in the index). */
export type { AgentInfo, AgentInfo__Output } from './generated/rigbench/v1/AgentInfo.js';
export type { BackendStatus, BackendStatus__Output } from './generated/rigbench/v1/BackendStatus.js';
export type {
  AgentServiceClient,
  AgentServiceHandlers,
  AgentServiceDefinition,
} from './generated/rigbench/v1/AgentService.js';
export type { CancelRunRequest, CancelRunRequest__Output } from './generated/rigbench/v1/CancelRunRequest.js';
export type {
  CancelRunResponse,
  CancelRunResponse__Output,
} from './generated/rigbench/v1/CancelRunResponse.js';
export type { GetInfoRequest, GetInfoRequest__Output } from './generated/rigbench/v1/GetInfoRequest.js';
export type { GgufFacts, GgufFacts__Output } from './generated/rigbench/v1/GgufFacts.js';
export type { Gpu, Gpu__Output } from './generated/rigbench/v1/Gpu.js';
export type { Hardware, Hardware__Output } from './generated/rigbench/v1/Hardware.js';
export type { Limits, Limits__Output } from './generated/rigbench/v1/Limits.js';
export type {
  ListModelsRequest,
  ListModelsRequest__Output,
} from './generated/rigbench/v1/ListModelsRequest.js';
export type {
  ListModelsResponse,
  ListModelsResponse__Output,
} from './generated/rigbench/v1/ListModelsResponse.js';
export type { ModelFile, ModelFile__Output } from './generated/rigbench/v1/ModelFile.js';
export type { RunUpdate, RunUpdate__Output } from './generated/rigbench/v1/RunUpdate.js';
export type { StartRunRequest, StartRunRequest__Output } from './generated/rigbench/v1/StartRunRequest.js';
export type { StartRunResponse, StartRunResponse__Output } from './generated/rigbench/v1/StartRunResponse.js';
export type { Versions, Versions__Output } from './generated/rigbench/v1/Versions.js';
export type { WatchRunRequest, WatchRunRequest__Output } from './generated/rigbench/v1/WatchRunRequest.js';
