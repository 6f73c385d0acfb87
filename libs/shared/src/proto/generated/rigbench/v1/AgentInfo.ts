// Original file: proto/rigbench/v1/agent.proto

import type { Versions as _rigbench_v1_Versions, Versions__Output as _rigbench_v1_Versions__Output } from '../../rigbench/v1/Versions.js';
import type { Hardware as _rigbench_v1_Hardware, Hardware__Output as _rigbench_v1_Hardware__Output } from '../../rigbench/v1/Hardware.js';
import type { Limits as _rigbench_v1_Limits, Limits__Output as _rigbench_v1_Limits__Output } from '../../rigbench/v1/Limits.js';
import type { BackendStatus as _rigbench_v1_BackendStatus, BackendStatus__Output as _rigbench_v1_BackendStatus__Output } from '../../rigbench/v1/BackendStatus.js';

export interface AgentInfo {
  'id'?: (string);
  'labels'?: ({[key: string]: string});
  'versions'?: (_rigbench_v1_Versions | null);
  'hardware'?: (_rigbench_v1_Hardware | null);
  /**
   * Backends this node can run: a subset of `cpu`, `cuda`, `vulkan`, `metal`.
   */
  'backends'?: (string)[];
  'busy'?: (boolean);
  /**
   * The active run, or empty when idle (the first one when several runs are allowed at once).
   */
  'current_run_id'?: (string);
  'active_run_ids'?: (string)[];
  'limits'?: (_rigbench_v1_Limits | null);
  /**
   * gRPC address the agent advertises, `host:port`.
   */
  'address'?: (string);
  /**
   * `running` or `draining`.
   */
  'state'?: (string);
  /**
   * Every backend with its devices, available or not (`backends` lists the available ones).
   */
  'backend_status'?: (_rigbench_v1_BackendStatus)[];
}

export interface AgentInfo__Output {
  'id': (string);
  'labels': ({[key: string]: string});
  'versions': (_rigbench_v1_Versions__Output | null);
  'hardware': (_rigbench_v1_Hardware__Output | null);
  /**
   * Backends this node can run: a subset of `cpu`, `cuda`, `vulkan`, `metal`.
   */
  'backends': (string)[];
  'busy': (boolean);
  /**
   * The active run, or empty when idle (the first one when several runs are allowed at once).
   */
  'current_run_id': (string);
  'active_run_ids': (string)[];
  'limits': (_rigbench_v1_Limits__Output | null);
  /**
   * gRPC address the agent advertises, `host:port`.
   */
  'address': (string);
  /**
   * `running` or `draining`.
   */
  'state': (string);
  /**
   * Every backend with its devices, available or not (`backends` lists the available ones).
   */
  'backend_status': (_rigbench_v1_BackendStatus__Output)[];
}
