// Original file: proto/rigbench/v1/agent.proto

import type { Gpu as _rigbench_v1_Gpu, Gpu__Output as _rigbench_v1_Gpu__Output } from '../../rigbench/v1/Gpu.js';
import type { Long } from '@grpc/proto-loader';

export interface Hardware {
  'cpu_model'?: (string);
  'physical_cores'?: (number);
  'logical_cores'?: (number);
  /**
   * Total system memory in bytes.
   */
  'memory_bytes'?: (number | string | Long);
  'gpus'?: (_rigbench_v1_Gpu)[];
  /**
   * e.g. `linux`.
   */
  'os'?: (string);
  /**
   * Kernel release, e.g. `6.8.0-45-generic`.
   */
  'kernel'?: (string);
  'hostname'?: (string);
}

export interface Hardware__Output {
  'cpu_model': (string);
  'physical_cores': (number);
  'logical_cores': (number);
  /**
   * Total system memory in bytes.
   */
  'memory_bytes': (string);
  'gpus': (_rigbench_v1_Gpu__Output)[];
  /**
   * e.g. `linux`.
   */
  'os': (string);
  /**
   * Kernel release, e.g. `6.8.0-45-generic`.
   */
  'kernel': (string);
  'hostname': (string);
}
