// Original file: proto/rigbench/v1/agent.proto

import type { GgufFacts as _rigbench_v1_GgufFacts, GgufFacts__Output as _rigbench_v1_GgufFacts__Output } from '../../rigbench/v1/GgufFacts.js';
import type { Long } from '@grpc/proto-loader';

export interface ModelFile {
  /**
   * Path relative to the models directory, `/`-separated; this is what a plan's `models[].source` names.
   */
  'path'?: (string);
  'size_bytes'?: (number | string | Long);
  /**
   * Last modification, ISO 8601.
   */
  'modified_time'?: (string);
  'gguf'?: (_rigbench_v1_GgufFacts | null);
  /**
   * Why the file is not a usable GGUF (truncated, wrong magic, unreadable, ...).
   */
  'error'?: (string);
  'result'?: "gguf"|"error";
}

export interface ModelFile__Output {
  /**
   * Path relative to the models directory, `/`-separated; this is what a plan's `models[].source` names.
   */
  'path': (string);
  'size_bytes': (string);
  /**
   * Last modification, ISO 8601.
   */
  'modified_time': (string);
  'gguf'?: (_rigbench_v1_GgufFacts__Output | null);
  /**
   * Why the file is not a usable GGUF (truncated, wrong magic, unreadable, ...).
   */
  'error'?: (string);
  'result'?: "gguf"|"error";
}
