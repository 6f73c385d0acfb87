// Original file: proto/rigbench/v1/agent.proto

import type { Gpu as _rigbench_v1_Gpu, Gpu__Output as _rigbench_v1_Gpu__Output } from '../../rigbench/v1/Gpu.js';

/**
 * One backend of the node: whether a plan can use it, why not, and the devices it has.
 */
export interface BackendStatus {
  /**
   * `cpu`, `cuda`, `vulkan` or `metal`.
   */
  'backend'?: (string);
  /**
   * node-llama-cpp loaded a build of it.
   */
  'loaded'?: (boolean);
  /**
   * Usable by a plan that does not opt in to software devices (it has a device that is not software).
   */
  'available'?: (boolean);
  /**
   * Why it is not available, e.g. `cuda: no NVIDIA driver (libcuda.so.1 not found)`; empty when it is.
   */
  'reason'?: (string);
  /**
   * Devices by the index a plan's `devices` names them (`GGML_VK_VISIBLE_DEVICES` / `CUDA_VISIBLE_DEVICES`).
   */
  'devices'?: (_rigbench_v1_Gpu)[];
  /**
   * Indexes of the devices the backend uses when a plan selects none.
   */
  'default_devices'?: (number)[];
}

/**
 * One backend of the node: whether a plan can use it, why not, and the devices it has.
 */
export interface BackendStatus__Output {
  /**
   * `cpu`, `cuda`, `vulkan` or `metal`.
   */
  'backend': (string);
  /**
   * node-llama-cpp loaded a build of it.
   */
  'loaded': (boolean);
  /**
   * Usable by a plan that does not opt in to software devices (it has a device that is not software).
   */
  'available': (boolean);
  /**
   * Why it is not available, e.g. `cuda: no NVIDIA driver (libcuda.so.1 not found)`; empty when it is.
   */
  'reason': (string);
  /**
   * Devices by the index a plan's `devices` names them (`GGML_VK_VISIBLE_DEVICES` / `CUDA_VISIBLE_DEVICES`).
   */
  'devices': (_rigbench_v1_Gpu__Output)[];
  /**
   * Indexes of the devices the backend uses when a plan selects none.
   */
  'default_devices': (number)[];
}
