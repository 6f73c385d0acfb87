// Original file: proto/rigbench/v1/agent.proto


export interface StartRunRequest {
  /**
   * Chosen by the caller; letters, digits, `-` and `_` (it becomes a NATS subject token).
   */
  'run_id'?: (string);
  /**
   * The validated plan as JSON (the `BenchPlan` shape); the agent validates it again.
   */
  'plan_json'?: (string);
  /**
   * Free-form label stored with the run, e.g. `night`.
   */
  'label'?: (string);
}

export interface StartRunRequest__Output {
  /**
   * Chosen by the caller; letters, digits, `-` and `_` (it becomes a NATS subject token).
   */
  'run_id': (string);
  /**
   * The validated plan as JSON (the `BenchPlan` shape); the agent validates it again.
   */
  'plan_json': (string);
  /**
   * Free-form label stored with the run, e.g. `night`.
   */
  'label': (string);
}
