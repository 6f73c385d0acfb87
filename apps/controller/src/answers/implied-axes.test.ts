import { describe, expect, test } from '@jest/globals';
import { seedRoundRuns } from '../../../../test/support/seed-dataset.js';
import { ALL_PROMPTS, buildAnswers } from './build-answers.js';

/** The seed rounds with Vulkan run on the CPU instead: no devices, 0 GPU layers (what the CPU backend implies). */
function cpuInsteadOfVulkan() {
  const runs = structuredClone(seedRoundRuns());
  for (const ds of runs)
    for (const c of ds.cases)
      if (c.benchCase.backend === 'vulkan')
        c.benchCase = { ...c.benchCase, backend: 'cpu', devices: [], gpuLayers: 0 };
  return runs;
}

describe('answers along an axis that implies other settings', () => {
  test('backend: cpu is ranked against cuda although devices and GPU layers differ, and the answer says so', () => {
    const answers = buildAnswers(cpuInsteadOfVulkan());
    const a = answers.find(
      (x) =>
        x.axis === 'backend' &&
        x.context === 'qwen-14b' &&
        x.metric === 'decodeTokensPerSecond' &&
        x.scope === ALL_PROMPTS,
    )!;
    expect([a.winner, a.other]).toEqual(['cpu', 'cuda']);
    expect(a.heldFixed).toEqual(
      expect.arrayContaining([
        'model qwen-14b',
        'devices as the backend implies (0,1 / none)',
        'GPU layers as the backend implies (max / 0)',
      ]),
    );
  });

  test('devices and GPU layers are not axes of CPU cases', () => {
    const answers = buildAnswers(cpuInsteadOfVulkan());
    expect(answers.filter((a) => a.axis === 'devices' || a.axis === 'gpuLayers')).toEqual([]);
  });
});
