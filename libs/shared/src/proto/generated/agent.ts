import type * as grpc from '@grpc/grpc-js';
import type { MessageTypeDefinition } from '@grpc/proto-loader';

import type { AgentInfo as _rigbench_v1_AgentInfo, AgentInfo__Output as _rigbench_v1_AgentInfo__Output } from './rigbench/v1/AgentInfo.js';
import type { AgentServiceClient as _rigbench_v1_AgentServiceClient, AgentServiceDefinition as _rigbench_v1_AgentServiceDefinition } from './rigbench/v1/AgentService.js';
import type { BackendStatus as _rigbench_v1_BackendStatus, BackendStatus__Output as _rigbench_v1_BackendStatus__Output } from './rigbench/v1/BackendStatus.js';
import type { CancelRunRequest as _rigbench_v1_CancelRunRequest, CancelRunRequest__Output as _rigbench_v1_CancelRunRequest__Output } from './rigbench/v1/CancelRunRequest.js';
import type { CancelRunResponse as _rigbench_v1_CancelRunResponse, CancelRunResponse__Output as _rigbench_v1_CancelRunResponse__Output } from './rigbench/v1/CancelRunResponse.js';
import type { GetInfoRequest as _rigbench_v1_GetInfoRequest, GetInfoRequest__Output as _rigbench_v1_GetInfoRequest__Output } from './rigbench/v1/GetInfoRequest.js';
import type { GgufFacts as _rigbench_v1_GgufFacts, GgufFacts__Output as _rigbench_v1_GgufFacts__Output } from './rigbench/v1/GgufFacts.js';
import type { Gpu as _rigbench_v1_Gpu, Gpu__Output as _rigbench_v1_Gpu__Output } from './rigbench/v1/Gpu.js';
import type { Hardware as _rigbench_v1_Hardware, Hardware__Output as _rigbench_v1_Hardware__Output } from './rigbench/v1/Hardware.js';
import type { Limits as _rigbench_v1_Limits, Limits__Output as _rigbench_v1_Limits__Output } from './rigbench/v1/Limits.js';
import type { ListModelsRequest as _rigbench_v1_ListModelsRequest, ListModelsRequest__Output as _rigbench_v1_ListModelsRequest__Output } from './rigbench/v1/ListModelsRequest.js';
import type { ListModelsResponse as _rigbench_v1_ListModelsResponse, ListModelsResponse__Output as _rigbench_v1_ListModelsResponse__Output } from './rigbench/v1/ListModelsResponse.js';
import type { ModelFile as _rigbench_v1_ModelFile, ModelFile__Output as _rigbench_v1_ModelFile__Output } from './rigbench/v1/ModelFile.js';
import type { RunUpdate as _rigbench_v1_RunUpdate, RunUpdate__Output as _rigbench_v1_RunUpdate__Output } from './rigbench/v1/RunUpdate.js';
import type { StartRunRequest as _rigbench_v1_StartRunRequest, StartRunRequest__Output as _rigbench_v1_StartRunRequest__Output } from './rigbench/v1/StartRunRequest.js';
import type { StartRunResponse as _rigbench_v1_StartRunResponse, StartRunResponse__Output as _rigbench_v1_StartRunResponse__Output } from './rigbench/v1/StartRunResponse.js';
import type { Versions as _rigbench_v1_Versions, Versions__Output as _rigbench_v1_Versions__Output } from './rigbench/v1/Versions.js';
import type { WatchRunRequest as _rigbench_v1_WatchRunRequest, WatchRunRequest__Output as _rigbench_v1_WatchRunRequest__Output } from './rigbench/v1/WatchRunRequest.js';

type SubtypeConstructor<Constructor extends new (...args: any) => any, Subtype> = {
  new(...args: ConstructorParameters<Constructor>): Subtype;
};

export interface ProtoGrpcType {
  rigbench: {
    v1: {
      AgentInfo: MessageTypeDefinition<_rigbench_v1_AgentInfo, _rigbench_v1_AgentInfo__Output>
      AgentService: SubtypeConstructor<typeof grpc.Client, _rigbench_v1_AgentServiceClient> & { service: _rigbench_v1_AgentServiceDefinition }
      BackendStatus: MessageTypeDefinition<_rigbench_v1_BackendStatus, _rigbench_v1_BackendStatus__Output>
      CancelRunRequest: MessageTypeDefinition<_rigbench_v1_CancelRunRequest, _rigbench_v1_CancelRunRequest__Output>
      CancelRunResponse: MessageTypeDefinition<_rigbench_v1_CancelRunResponse, _rigbench_v1_CancelRunResponse__Output>
      GetInfoRequest: MessageTypeDefinition<_rigbench_v1_GetInfoRequest, _rigbench_v1_GetInfoRequest__Output>
      GgufFacts: MessageTypeDefinition<_rigbench_v1_GgufFacts, _rigbench_v1_GgufFacts__Output>
      Gpu: MessageTypeDefinition<_rigbench_v1_Gpu, _rigbench_v1_Gpu__Output>
      Hardware: MessageTypeDefinition<_rigbench_v1_Hardware, _rigbench_v1_Hardware__Output>
      Limits: MessageTypeDefinition<_rigbench_v1_Limits, _rigbench_v1_Limits__Output>
      ListModelsRequest: MessageTypeDefinition<_rigbench_v1_ListModelsRequest, _rigbench_v1_ListModelsRequest__Output>
      ListModelsResponse: MessageTypeDefinition<_rigbench_v1_ListModelsResponse, _rigbench_v1_ListModelsResponse__Output>
      ModelFile: MessageTypeDefinition<_rigbench_v1_ModelFile, _rigbench_v1_ModelFile__Output>
      RunUpdate: MessageTypeDefinition<_rigbench_v1_RunUpdate, _rigbench_v1_RunUpdate__Output>
      StartRunRequest: MessageTypeDefinition<_rigbench_v1_StartRunRequest, _rigbench_v1_StartRunRequest__Output>
      StartRunResponse: MessageTypeDefinition<_rigbench_v1_StartRunResponse, _rigbench_v1_StartRunResponse__Output>
      Versions: MessageTypeDefinition<_rigbench_v1_Versions, _rigbench_v1_Versions__Output>
      WatchRunRequest: MessageTypeDefinition<_rigbench_v1_WatchRunRequest, _rigbench_v1_WatchRunRequest__Output>
    }
  }
}

