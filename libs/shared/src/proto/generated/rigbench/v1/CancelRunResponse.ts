// Original file: proto/rigbench/v1/agent.proto


export interface CancelRunResponse {
  'run_id'?: (string);
  /**
   * `cancelling` when the run was active, `finished` when it had already ended.
   */
  'state'?: (string);
}

export interface CancelRunResponse__Output {
  'run_id': (string);
  /**
   * `cancelling` when the run was active, `finished` when it had already ended.
   */
  'state': (string);
}
