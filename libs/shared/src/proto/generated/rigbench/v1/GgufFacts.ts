// Original file: proto/rigbench/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface GgufFacts {
  /**
   * `general.architecture`, e.g. `llama`.
   */
  'architecture'?: (string);
  /**
   * From `general.file_type`, e.g. `Q4_K_M`, `F16`.
   */
  'quantization'?: (string);
  /**
   * Parameter count; absent when the file does not say.
   */
  'parameter_count'?: (number | string | Long);
  /**
   * Context length the model was trained with, in tokens; absent when the file does not say.
   */
  'trained_context_size'?: (number);
  /**
   * `general.name`, when present.
   */
  'name'?: (string);
  '_parameter_count'?: "parameter_count";
  '_trained_context_size'?: "trained_context_size";
}

export interface GgufFacts__Output {
  /**
   * `general.architecture`, e.g. `llama`.
   */
  'architecture': (string);
  /**
   * From `general.file_type`, e.g. `Q4_K_M`, `F16`.
   */
  'quantization': (string);
  /**
   * Parameter count; absent when the file does not say.
   */
  'parameter_count'?: (string);
  /**
   * Context length the model was trained with, in tokens; absent when the file does not say.
   */
  'trained_context_size'?: (number);
  /**
   * `general.name`, when present.
   */
  'name': (string);
  '_parameter_count'?: "parameter_count";
  '_trained_context_size'?: "trained_context_size";
}
