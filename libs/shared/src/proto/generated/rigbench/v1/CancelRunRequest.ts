// Original file: proto/rigbench/v1/agent.proto


export interface CancelRunRequest {
  'run_id'?: (string);
  'reason'?: (string);
}

export interface CancelRunRequest__Output {
  'run_id': (string);
  'reason': (string);
}
