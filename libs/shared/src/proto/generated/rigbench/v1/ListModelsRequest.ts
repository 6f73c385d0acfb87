// Original file: proto/rigbench/v1/agent.proto


export interface ListModelsRequest {
}

export interface ListModelsRequest__Output {
}
