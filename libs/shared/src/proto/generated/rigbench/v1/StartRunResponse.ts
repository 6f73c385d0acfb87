// Original file: proto/rigbench/v1/agent.proto


export interface StartRunResponse {
  'run_id'?: (string);
  /**
   * Cases the plan expands to on this agent.
   */
  'case_count'?: (number);
  /**
   * sha256 of the canonical plan JSON.
   */
  'plan_hash'?: (string);
}

export interface StartRunResponse__Output {
  'run_id': (string);
  /**
   * Cases the plan expands to on this agent.
   */
  'case_count': (number);
  /**
   * sha256 of the canonical plan JSON.
   */
  'plan_hash': (string);
}
