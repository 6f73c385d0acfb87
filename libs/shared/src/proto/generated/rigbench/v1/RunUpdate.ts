// Original file: proto/rigbench/v1/agent.proto


export interface RunUpdate {
  'run_id'?: (string);
  'seq'?: (number);
  /**
   * Event type: `run.accepted`, `case.started`, `sample.recorded`, `case.finished` or `run.finished`.
   */
  'type'?: (string);
  /**
   * The event exactly as published on JetStream (a `RigbenchEvent`).
   */
  'event_json'?: (string);
}

export interface RunUpdate__Output {
  'run_id': (string);
  'seq': (number);
  /**
   * Event type: `run.accepted`, `case.started`, `sample.recorded`, `case.finished` or `run.finished`.
   */
  'type': (string);
  /**
   * The event exactly as published on JetStream (a `RigbenchEvent`).
   */
  'event_json': (string);
}
