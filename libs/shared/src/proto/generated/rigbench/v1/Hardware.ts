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
   * Node's platform and CPU architecture, e.g. `linux-x64`. (Field 6 was called `os` before; renamed so that
   * `os` means one thing everywhere: the operating system, as in field 9 and the case fingerprint.)
   */
  'platform'?: (string);
  /**
   * Kernel release, e.g. `6.8.0-45-generic`.
   */
  'kernel'?: (string);
  'hostname'?: (string);
  /**
   * Operating system with its distribution, e.g. `linux (Ubuntu 24.04)`: the same text as the `os` of the
   * fingerprint every case records. Empty from agents older than this field.
   */
  'os'?: (string);
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
   * Node's platform and CPU architecture, e.g. `linux-x64`. (Field 6 was called `os` before; renamed so that
   * `os` means one thing everywhere: the operating system, as in field 9 and the case fingerprint.)
   */
  'platform': (string);
  /**
   * Kernel release, e.g. `6.8.0-45-generic`.
   */
  'kernel': (string);
  'hostname': (string);
  /**
   * Operating system with its distribution, e.g. `linux (Ubuntu 24.04)`: the same text as the `os` of the
   * fingerprint every case records. Empty from agents older than this field.
   */
  'os': (string);
}
