import type { BenchCase, Fingerprint } from '@rigbench/shared';
import { backendLabel as sharedBackendLabel } from '@rigbench/shared';

/**
 * What makes two samples comparable: the agent, the model, how it was loaded and run, and the workload.
 * Samples of one case on one agent share a descriptor; across runs, equal descriptors are merged.
 */
export interface GroupDescriptor {
  agentId: string;
  /** Model id from the plan. */
  model: string;
  /** The plan's backend; `vulkan (software)` when its fingerprint says it ran on a software device (llvmpipe). */
  backend: string;
  /** GPU indices, e.g. `0,1`; `default` when the plan selected none. */
  devices: string;
  /** Threads as planned (`auto` or a number); the value used is in each sample. */
  threads: string;
  /** Other load and context settings, e.g. `ngl=max ctx=4096 b=512 fa=off kv=f16`. */
  settings: string;
  /** Workload in llama-bench style: `chat:q1`, `pp512`, `tg128`, `pp512+tg128`, with ` @ d1024` for depth. */
  test: string;
  /**
   * What changed between samples of an otherwise equal configuration (`llama.cpp b4589`, `model 1a2b…`): ''
   * unless the same configuration ran with different model files, llama.cpp releases, drivers or thread counts,
   * which are then separate groups (see fingerprint-identity.ts).
   */
  variant: string;
}

/** Dimensions a comparison can group by or ignore. */
export const DESCRIPTOR_DIMENSIONS = [
  'agentId',
  'model',
  'backend',
  'devices',
  'threads',
  'settings',
  'test',
  'variant',
] as const;
export type DescriptorDimension = (typeof DESCRIPTOR_DIMENSIONS)[number];

/** llama-bench style name of a case's workload. */
export function testName(benchCase: BenchCase): string {
  const w = benchCase.workload;
  if (w.mode === 'chat') return `chat:${w.prompt.id}`;
  if (w.mode === 'load') return `load:${w.test.id} conc=${w.concurrency}`;
  const parts: string[] = [];
  if (w.test.promptTokens > 0) parts.push(`pp${w.test.promptTokens}`);
  if (w.test.generatedTokens > 0) parts.push(`tg${w.test.generatedTokens}`);
  const name = parts.join('+') || w.test.id;
  return w.test.depth > 0 ? `${name} @ d${w.test.depth}` : name;
}

/** The backend as reports show it: `vulkan (software)` when the case ran on a software device (llvmpipe). */
export function backendLabel(benchCase: BenchCase, fingerprint?: Fingerprint | null): string {
  return sharedBackendLabel(benchCase.backend, fingerprint);
}

/**
 * The descriptor of a case on an agent. With its fingerprint, a case run on a software device gets its own backend
 * label (`vulkan (software)`), so it is never merged with, or mistaken for, a GPU's figures; `variant` names what
 * changed (see {@link GroupDescriptor}).
 */
export function describeCase(
  agentId: string,
  benchCase: BenchCase,
  fingerprint?: Fingerprint | null,
  variant = '',
): GroupDescriptor {
  return {
    agentId,
    model: benchCase.model.id,
    backend: backendLabel(benchCase, fingerprint),
    devices: benchCase.devices.length > 0 ? benchCase.devices.join(',') : 'default',
    threads: String(benchCase.threads),
    settings:
      `ngl=${benchCase.gpuLayers} ctx=${benchCase.contextSize} b=${benchCase.batchSize} ` +
      `fa=${benchCase.flashAttention ? 'on' : 'off'} kv=${benchCase.kvCacheType}` +
      // Only a local build is named: reports of plans without the build axis read as before.
      (benchCase.build === 'local' ? ' build=local' : ''),
    test: testName(benchCase),
    variant,
  };
}

/** Descriptor for samples whose case the store does not know (kept, never silently dropped). */
export function describeUnknownCase(agentId: string, caseId: string): GroupDescriptor {
  return {
    agentId,
    model: '?',
    backend: '?',
    devices: '?',
    threads: '?',
    settings: '?',
    test: `case:${caseId}`,
    variant: '',
  };
}

/** A string key of the descriptor without the `omit` dimensions (used to match groups). */
export function descriptorKey(d: GroupDescriptor, omit: readonly DescriptorDimension[] = []): string {
  let key = '';
  for (const dim of DESCRIPTOR_DIMENSIONS) {
    if (omit.includes(dim)) continue;
    key += `${d[dim]}\u0001`;
  }
  return key;
}

/** Human label of a group, e.g. `rig-a llama-8b cuda d0,1 t=auto chat:q1`. */
export function descriptorLabel(d: GroupDescriptor, omit: readonly DescriptorDimension[] = []): string {
  const parts: string[] = [];
  if (!omit.includes('agentId')) parts.push(d.agentId);
  if (!omit.includes('model')) parts.push(d.model);
  if (!omit.includes('backend')) parts.push(d.backend);
  if (!omit.includes('devices')) parts.push(`d${d.devices}`);
  if (!omit.includes('threads')) parts.push(`t=${d.threads}`);
  if (!omit.includes('test')) parts.push(d.test);
  if (!omit.includes('variant') && d.variant) parts.push(`[${d.variant}]`);
  return parts.join(' ');
}
