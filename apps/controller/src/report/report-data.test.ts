import { describe, expect, test } from '@jest/globals';
import { seedDataset, seedRuns } from '../../../../test/support/seed-dataset.js';
import { buildReportData } from './report-data.js';
import { METRIC_IDS, sampleMetric } from './report-metrics.js';
import type { RunDataset } from './run-dataset.js';

/** The seed run with a few samples changed the way CPU runs and empty answers look. */
function withGaps(): RunDataset {
  const ds = seedDataset();
  ds.samples[0]!.sample.vram = null; // CPU: no device memory
  const empty = ds.samples[1]!.sample;
  empty.generatedTokens = 0;
  empty.ttftSeconds = null;
  empty.interTokenLatency = null;
  ds.samples.push({ ...ds.samples[2]!, caseId: 'c999-not-in-plan' }); // a case the store does not know
  return ds;
}

describe('buildReportData', () => {
  test('each metric counts exactly the samples that have it (same rule as sampleMetric)', () => {
    const ds = withGaps();
    const data = buildReportData([ds]);
    for (const g of data.groups) {
      for (const m of METRIC_IDS) {
        if (m === 'modelLoadSeconds') continue;
        const expected = ds.samples.filter(
          (s, i) => data.sampleGroups[0]![i] === g.index && !Number.isNaN(sampleMetric(s.sample, m)),
        ).length;
        expect(g.metrics[m]?.n ?? 0).toBe(expected);
      }
    }
  });

  test('samples of an unknown case are kept in their own group, never dropped', () => {
    const data = buildReportData([withGaps()]);
    const unknown = data.groups.find((g) => g.descriptor.test === 'case:c999-not-in-plan')!;
    expect(unknown.n).toBe(1);
    expect(data.totalSamples).toBe(seedDataset().samples.length + 1);
  });

  test('equal groups of several runs merge; model load is one value per case and run', () => {
    const data = buildReportData(seedRuns());
    // Vulkan ran the same llama.cpp release in both runs (the fixture has it in the morning only, so one run).
    const [morning, night] = seedRuns();
    for (const c of night.cases) c.fingerprint = { ...c.fingerprint!, llamaCppRelease: 'b4546' };
    const merged = buildReportData([morning, night]);
    const g = merged.groups.find(
      (x) =>
        x.descriptor.model === 'llama-8b' &&
        x.descriptor.backend === 'cuda' &&
        x.descriptor.test === 'chat:q1',
    )!;
    expect(g.datasetIndexes).toEqual([0, 1]);
    expect(g.descriptor.variant).toBe('');
    expect(g.n).toBe(4);
    expect(g.metrics.modelLoadSeconds!.n).toBe(2);
    expect(g.threadsUsed).toEqual([4]);
    expect(data.maxRepetition).toEqual([1, 1]);
  });

  test('a configuration whose llama.cpp release changed between runs is split, never pooled', () => {
    const data = buildReportData(seedRuns());
    const cudaQ1 = data.groups.filter(
      (x) =>
        x.descriptor.model === 'llama-8b' &&
        x.descriptor.backend === 'cuda' &&
        x.descriptor.test === 'chat:q1',
    );
    expect(cudaQ1.map((g) => [g.descriptor.variant, g.datasetIndexes, g.n])).toEqual([
      ['llama.cpp b4546', [0], 2],
      ['llama.cpp b4589', [1], 2],
    ]);
    expect(cudaQ1.map((g) => g.label)).toEqual([
      'llama-8b cuda chat:q1 [llama.cpp b4546]',
      'llama-8b cuda chat:q1 [llama.cpp b4589]',
    ]);
  });

  test('summaries match the published seed figures (8B CUDA Q1: mean 21.35, median 23.455)', () => {
    const data = buildReportData([seedDataset()]);
    const g = data.groups.find(
      (x) =>
        x.descriptor.model === 'llama-8b' &&
        x.descriptor.backend === 'cuda' &&
        x.descriptor.test === 'chat:q1',
    )!;
    const s = g.metrics.decodeTokensPerSecond!;
    expect(s.mean).toBeCloseTo(21.35, 12);
    expect(s.median).toBeCloseTo(23.455, 12);
    expect([s.min, s.max]).toEqual([10.99, 27.5]);
  });
});
