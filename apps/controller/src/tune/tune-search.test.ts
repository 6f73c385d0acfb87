import { describe, expect, test } from '@jest/globals';
import { blocksOf, candidatesOf, threadCandidates } from './tune-candidates.js';
import { decideRound, rankOn } from './tune-search.js';

const figures = (decode: Record<string, number[]>, prompt: Record<string, number[]> = decode) => ({
  decode: new Map(Object.entries(decode)),
  prompt: new Map(Object.entries(prompt)),
});

describe('tune candidates', () => {
  test('thread counts: 1, powers of two, the physical count and one less, the logical count', () => {
    expect(threadCandidates(2, 2)).toEqual([1, 2]);
    expect(threadCandidates(1, 1)).toEqual([1]);
    expect(threadCandidates(8, 16)).toEqual([1, 2, 4, 7, 8, 16]);
  });

  test('a quantized KV cache is tried with flash attention only; blocks are cartesian products', () => {
    const candidates = candidatesOf({
      backend: 'cpu',
      threads: [1, 2],
      batchSize: [256, 512],
      flashAttention: [false, true],
      kvCacheType: ['f16', 'q8_0'],
      gpuLayers: [0],
    });
    expect(candidates).toHaveLength(12);
    expect(candidates.some((c) => !c.flashAttention && c.kvCacheType === 'q8_0')).toBe(false);
    const blocks = blocksOf(candidates);
    expect(blocks.map((b) => [b.flashAttention, b.kvCacheType])).toEqual([
      [false, 'f16'],
      [true, 'f16'],
      [true, 'q8_0'],
    ]);
    for (const b of blocks) expect(b.threads.length * b.batchSize.length * b.gpuLayers.length).toBe(4);
  });
});

describe('tune search', () => {
  test('rankOn: geometric means, best first, with a log-scale t interval that contains the estimate', () => {
    const ranked = rankOn(
      new Map([
        ['a', [10, 40]],
        ['b', [30, 30, 30.3]],
        ['c', [5]],
      ]),
    );
    expect(ranked.map((r) => r.key)).toEqual(['b', 'a', 'c']);
    expect(ranked[1]!.geomean).toBeCloseTo(20, 10);
    expect(ranked[1]!.relative).toBeCloseTo(20 / ranked[0]!.geomean, 12);
    for (const r of ranked.slice(0, 2)) {
      expect(r.ci!.lo).toBeLessThan(r.geomean);
      expect(r.ci!.hi).toBeGreaterThan(r.geomean);
    }
    // One value has no interval; rates are never negative on the log scale.
    expect(ranked[2]!.ci).toBeNull();
    expect(ranked[1]!.ci!.lo).toBeGreaterThan(0);
  });

  test('a candidate whose interval lies below the leader is dropped; the leader alone is settled', () => {
    const d = decideRound(figures({ fast: [100, 101, 99, 100], slow: [60, 61, 59, 60] }), ['fast', 'slow']);
    expect(d.open).toEqual(['fast']);
    expect(d.settled).toBe(true);
  });

  test('two candidates whose intervals overlap and differ by more than the tolerance both stay open', () => {
    const d = decideRound(figures({ a: [100, 80, 120], b: [85, 70, 100] }), ['a', 'b']);
    expect(d.open.sort()).toEqual(['a', 'b']);
    expect(d.settled).toBe(false);
  });

  test('open candidates all within the tolerance of the leader are settled: any of them is good enough', () => {
    const d = decideRound(figures({ a: [100, 90, 110], b: [98, 88, 108] }), ['a', 'b'], { tolerance: 0.05 });
    expect(d.open).toHaveLength(2);
    expect(d.settled).toBe(true);
  });

  test('halving: of eight unseparated candidates at most four go on, best first; a metric leader always does', () => {
    const decode: Record<string, number[]> = {};
    const prompt: Record<string, number[]> = {};
    for (let i = 0; i < 8; i++) {
      decode[`c${i}`] = [100 - i, 80 - i, 120 - i];
      prompt[`c${i}`] = [50 + i, 40 + i, 60 + i];
    }
    const d = decideRound(figures(decode, prompt), Object.keys(decode));
    expect(d.open).toHaveLength(4);
    expect(d.open).toContain('c0'); // decode leader
    expect(d.open).toContain('c7'); // prompt leader
  });

  test('only candidates measured this round can stay open', () => {
    const d = decideRound(figures({ a: [100, 99, 101], b: [100, 98, 102] }), ['b']);
    expect(d.open).toEqual(['b']);
  });
});
