// Original file: proto/rigbench/v1/agent.proto


/**
 * The limits this agent enforces on every plan; 0 means "no limit".
 */
export interface Limits {
  'max_tokens'?: (number);
  'context_size'?: (number);
  'repetitions'?: (number);
  /**
   * Wall-clock limit of a whole run, in seconds.
   */
  'run_seconds'?: (number);
  /**
   * Wall-clock limit of one case, in seconds.
   */
  'case_timeout_seconds'?: (number);
  'concurrent_runs'?: (number);
}

/**
 * The limits this agent enforces on every plan; 0 means "no limit".
 */
export interface Limits__Output {
  'max_tokens': (number);
  'context_size': (number);
  'repetitions': (number);
  /**
   * Wall-clock limit of a whole run, in seconds.
   */
  'run_seconds': (number);
  /**
   * Wall-clock limit of one case, in seconds.
   */
  'case_timeout_seconds': (number);
  'concurrent_runs': (number);
}
