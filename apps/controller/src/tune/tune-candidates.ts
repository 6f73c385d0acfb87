import type { Backend, GpuLayers, KvCacheType } from '@rigbench/shared';

/** One combination of settings `rigbench tune` measures. */
export interface TuneCandidate {
  /** Stable key, e.g. `t2 b512 fa-on kv-q8_0 ngl-max`. */
  key: string;
  threads: number;
  batchSize: number;
  flashAttention: boolean;
  kvCacheType: KvCacheType;
  gpuLayers: GpuLayers;
}

/** The values each setting may take; candidates are their valid combinations. */
export interface TuneSpace {
  backend: Backend;
  threads: readonly number[];
  batchSize: readonly number[];
  flashAttention: readonly boolean[];
  kvCacheType: readonly KvCacheType[];
  gpuLayers: readonly GpuLayers[];
}

/** A block of candidates that is a cartesian product, so one plan (one run) measures all of it. */
export interface CandidateBlock {
  flashAttention: boolean;
  kvCacheType: KvCacheType;
  threads: number[];
  batchSize: number[];
  gpuLayers: GpuLayers[];
}

/** Thread counts worth trying on a node: 1, powers of two, the physical and logical core counts (and −1). */
export function threadCandidates(physicalCores: number, logicalCores: number): number[] {
  const top = Math.max(1, logicalCores);
  const set = new Set<number>([1, top, Math.max(1, physicalCores), Math.max(1, physicalCores - 1)]);
  for (let n = 2; n < top; n *= 2) set.add(n);
  return [...set].filter((n) => n >= 1 && n <= top).sort((a, b) => a - b);
}

export function candidateKey(c: Omit<TuneCandidate, 'key'>): string {
  return `t${c.threads} b${c.batchSize} fa-${c.flashAttention ? 'on' : 'off'} kv-${c.kvCacheType} ngl-${c.gpuLayers}`;
}

/**
 * Every valid combination of the space. llama.cpp quantizes the V cache only with flash attention, so a KV type
 * other than f16/f32 is paired with flash attention on only.
 */
export function candidatesOf(space: TuneSpace): TuneCandidate[] {
  const out: TuneCandidate[] = [];
  for (const flashAttention of space.flashAttention)
    for (const kvCacheType of space.kvCacheType) {
      if (!flashAttention && !isFloatCache(kvCacheType)) continue;
      for (const gpuLayers of space.gpuLayers)
        for (const threads of space.threads)
          for (const batchSize of space.batchSize) {
            const c = { threads, batchSize, flashAttention, kvCacheType, gpuLayers };
            out.push({ key: candidateKey(c), ...c });
          }
    }
  return out;
}

/** Groups candidates into cartesian blocks by (flash attention, KV type): one run per block. */
export function blocksOf(candidates: readonly TuneCandidate[]): CandidateBlock[] {
  const blocks = new Map<string, CandidateBlock>();
  for (const c of candidates) {
    const id = `${c.flashAttention}/${c.kvCacheType}`;
    const block = blocks.get(id) ?? {
      flashAttention: c.flashAttention,
      kvCacheType: c.kvCacheType,
      threads: [],
      batchSize: [],
      gpuLayers: [],
    };
    if (!block.threads.includes(c.threads)) block.threads.push(c.threads);
    if (!block.batchSize.includes(c.batchSize)) block.batchSize.push(c.batchSize);
    if (!block.gpuLayers.includes(c.gpuLayers)) block.gpuLayers.push(c.gpuLayers);
    blocks.set(id, block);
  }
  return [...blocks.values()];
}

function isFloatCache(type: KvCacheType): boolean {
  return type === 'f16' || type === 'f32';
}
