// Original file: proto/rigbench/v1/agent.proto


export interface WatchRunRequest {
  'run_id'?: (string);
  /**
   * First sequence number wanted; 0 and 1 both mean "from the start" (`run.accepted` is seq 1).
   */
  'from_seq'?: (number);
}

export interface WatchRunRequest__Output {
  'run_id': (string);
  /**
   * First sequence number wanted; 0 and 1 both mean "from the start" (`run.accepted` is seq 1).
   */
  'from_seq': (number);
}
