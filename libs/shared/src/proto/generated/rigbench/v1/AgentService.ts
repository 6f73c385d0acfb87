// Original file: proto/rigbench/v1/agent.proto

import type * as grpc from '@grpc/grpc-js'
import type { MethodDefinition } from '@grpc/proto-loader'
import type { AgentInfo as _rigbench_v1_AgentInfo, AgentInfo__Output as _rigbench_v1_AgentInfo__Output } from '../../rigbench/v1/AgentInfo.js';
import type { CancelRunRequest as _rigbench_v1_CancelRunRequest, CancelRunRequest__Output as _rigbench_v1_CancelRunRequest__Output } from '../../rigbench/v1/CancelRunRequest.js';
import type { CancelRunResponse as _rigbench_v1_CancelRunResponse, CancelRunResponse__Output as _rigbench_v1_CancelRunResponse__Output } from '../../rigbench/v1/CancelRunResponse.js';
import type { GetInfoRequest as _rigbench_v1_GetInfoRequest, GetInfoRequest__Output as _rigbench_v1_GetInfoRequest__Output } from '../../rigbench/v1/GetInfoRequest.js';
import type { ListModelsRequest as _rigbench_v1_ListModelsRequest, ListModelsRequest__Output as _rigbench_v1_ListModelsRequest__Output } from '../../rigbench/v1/ListModelsRequest.js';
import type { ListModelsResponse as _rigbench_v1_ListModelsResponse, ListModelsResponse__Output as _rigbench_v1_ListModelsResponse__Output } from '../../rigbench/v1/ListModelsResponse.js';
import type { RunUpdate as _rigbench_v1_RunUpdate, RunUpdate__Output as _rigbench_v1_RunUpdate__Output } from '../../rigbench/v1/RunUpdate.js';
import type { StartRunRequest as _rigbench_v1_StartRunRequest, StartRunRequest__Output as _rigbench_v1_StartRunRequest__Output } from '../../rigbench/v1/StartRunRequest.js';
import type { StartRunResponse as _rigbench_v1_StartRunResponse, StartRunResponse__Output as _rigbench_v1_StartRunResponse__Output } from '../../rigbench/v1/StartRunResponse.js';
import type { WatchRunRequest as _rigbench_v1_WatchRunRequest, WatchRunRequest__Output as _rigbench_v1_WatchRunRequest__Output } from '../../rigbench/v1/WatchRunRequest.js';

export interface AgentServiceClient extends grpc.Client {
  /**
   * Cancels a run: the current case is finished or aborted (agent config), later cases are not started.
   */
  CancelRun(argument: _rigbench_v1_CancelRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  CancelRun(argument: _rigbench_v1_CancelRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  CancelRun(argument: _rigbench_v1_CancelRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  CancelRun(argument: _rigbench_v1_CancelRunRequest, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Cancels a run: the current case is finished or aborted (agent config), later cases are not started.
   */
  cancelRun(argument: _rigbench_v1_CancelRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  cancelRun(argument: _rigbench_v1_CancelRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  cancelRun(argument: _rigbench_v1_CancelRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  cancelRun(argument: _rigbench_v1_CancelRunRequest, callback: grpc.requestCallback<_rigbench_v1_CancelRunResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Identity, versions, hardware and busy state of the agent.
   */
  GetInfo(argument: _rigbench_v1_GetInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _rigbench_v1_GetInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _rigbench_v1_GetInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  GetInfo(argument: _rigbench_v1_GetInfoRequest, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  /**
   * Identity, versions, hardware and busy state of the agent.
   */
  getInfo(argument: _rigbench_v1_GetInfoRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _rigbench_v1_GetInfoRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _rigbench_v1_GetInfoRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  getInfo(argument: _rigbench_v1_GetInfoRequest, callback: grpc.requestCallback<_rigbench_v1_AgentInfo__Output>): grpc.ClientUnaryCall;
  
  /**
   * GGUF files found in the agent's models directory.
   */
  ListModels(argument: _rigbench_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _rigbench_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _rigbench_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  ListModels(argument: _rigbench_v1_ListModelsRequest, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  /**
   * GGUF files found in the agent's models directory.
   */
  listModels(argument: _rigbench_v1_ListModelsRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _rigbench_v1_ListModelsRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _rigbench_v1_ListModelsRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  listModels(argument: _rigbench_v1_ListModelsRequest, callback: grpc.requestCallback<_rigbench_v1_ListModelsResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Validates the plan, checks the agent's limits and the models, then starts the run in the background.
   */
  StartRun(argument: _rigbench_v1_StartRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _rigbench_v1_StartRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _rigbench_v1_StartRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  StartRun(argument: _rigbench_v1_StartRunRequest, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  /**
   * Validates the plan, checks the agent's limits and the models, then starts the run in the background.
   */
  startRun(argument: _rigbench_v1_StartRunRequest, metadata: grpc.Metadata, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  startRun(argument: _rigbench_v1_StartRunRequest, metadata: grpc.Metadata, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  startRun(argument: _rigbench_v1_StartRunRequest, options: grpc.CallOptions, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  startRun(argument: _rigbench_v1_StartRunRequest, callback: grpc.requestCallback<_rigbench_v1_StartRunResponse__Output>): grpc.ClientUnaryCall;
  
  /**
   * Every event of one run in order, from `from_seq`; the stream ends after `run.finished`.
   */
  WatchRun(argument: _rigbench_v1_WatchRunRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rigbench_v1_RunUpdate__Output>;
  WatchRun(argument: _rigbench_v1_WatchRunRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rigbench_v1_RunUpdate__Output>;
  /**
   * Every event of one run in order, from `from_seq`; the stream ends after `run.finished`.
   */
  watchRun(argument: _rigbench_v1_WatchRunRequest, metadata: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<_rigbench_v1_RunUpdate__Output>;
  watchRun(argument: _rigbench_v1_WatchRunRequest, options?: grpc.CallOptions): grpc.ClientReadableStream<_rigbench_v1_RunUpdate__Output>;
  
}

export interface AgentServiceHandlers extends grpc.UntypedServiceImplementation {
  /**
   * Cancels a run: the current case is finished or aborted (agent config), later cases are not started.
   */
  CancelRun: grpc.handleUnaryCall<_rigbench_v1_CancelRunRequest__Output, _rigbench_v1_CancelRunResponse>;
  
  /**
   * Identity, versions, hardware and busy state of the agent.
   */
  GetInfo: grpc.handleUnaryCall<_rigbench_v1_GetInfoRequest__Output, _rigbench_v1_AgentInfo>;
  
  /**
   * GGUF files found in the agent's models directory.
   */
  ListModels: grpc.handleUnaryCall<_rigbench_v1_ListModelsRequest__Output, _rigbench_v1_ListModelsResponse>;
  
  /**
   * Validates the plan, checks the agent's limits and the models, then starts the run in the background.
   */
  StartRun: grpc.handleUnaryCall<_rigbench_v1_StartRunRequest__Output, _rigbench_v1_StartRunResponse>;
  
  /**
   * Every event of one run in order, from `from_seq`; the stream ends after `run.finished`.
   */
  WatchRun: grpc.handleServerStreamingCall<_rigbench_v1_WatchRunRequest__Output, _rigbench_v1_RunUpdate>;
  
}

export interface AgentServiceDefinition extends grpc.ServiceDefinition {
  CancelRun: MethodDefinition<_rigbench_v1_CancelRunRequest, _rigbench_v1_CancelRunResponse, _rigbench_v1_CancelRunRequest__Output, _rigbench_v1_CancelRunResponse__Output>
  GetInfo: MethodDefinition<_rigbench_v1_GetInfoRequest, _rigbench_v1_AgentInfo, _rigbench_v1_GetInfoRequest__Output, _rigbench_v1_AgentInfo__Output>
  ListModels: MethodDefinition<_rigbench_v1_ListModelsRequest, _rigbench_v1_ListModelsResponse, _rigbench_v1_ListModelsRequest__Output, _rigbench_v1_ListModelsResponse__Output>
  StartRun: MethodDefinition<_rigbench_v1_StartRunRequest, _rigbench_v1_StartRunResponse, _rigbench_v1_StartRunRequest__Output, _rigbench_v1_StartRunResponse__Output>
  WatchRun: MethodDefinition<_rigbench_v1_WatchRunRequest, _rigbench_v1_RunUpdate, _rigbench_v1_WatchRunRequest__Output, _rigbench_v1_RunUpdate__Output>
}
