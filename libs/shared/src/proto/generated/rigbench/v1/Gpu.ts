// Original file: proto/rigbench/v1/agent.proto

import type { Long } from '@grpc/proto-loader';

export interface Gpu {
  'index'?: (number);
  'name'?: (string);
  'uuid'?: (string);
  /**
   * Total device memory in bytes; 0 when unknown.
   */
  'vram_total_bytes'?: (number | string | Long);
  /**
   * Used device memory in bytes at the time of the call; 0 when unknown.
   */
  'vram_used_bytes'?: (number | string | Long);
  'driver_version'?: (string);
  /**
   * `discrete`, `integrated`, `virtual` or `software` (llvmpipe, lavapipe, SwiftShader); empty when unknown.
   */
  'kind'?: (string);
  /**
   * Free device memory in bytes at the time of the call; 0 when unknown.
   */
  'vram_free_bytes'?: (number | string | Long);
}

export interface Gpu__Output {
  'index': (number);
  'name': (string);
  'uuid': (string);
  /**
   * Total device memory in bytes; 0 when unknown.
   */
  'vram_total_bytes': (string);
  /**
   * Used device memory in bytes at the time of the call; 0 when unknown.
   */
  'vram_used_bytes': (string);
  'driver_version': (string);
  /**
   * `discrete`, `integrated`, `virtual` or `software` (llvmpipe, lavapipe, SwiftShader); empty when unknown.
   */
  'kind': (string);
  /**
   * Free device memory in bytes at the time of the call; 0 when unknown.
   */
  'vram_free_bytes': (string);
}
