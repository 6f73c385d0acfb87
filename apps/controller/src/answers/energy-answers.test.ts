import { describe, expect, test } from '@jest/globals';
import type { SampleEnergy } from '@rigbench/shared';
import { seedRoundRuns } from '../../../../test/support/seed-dataset.js';
import { buildAnswers } from './build-answers.js';

/** Decode power of each backend in this fixture, in watts (made up: the seed post has no power figures). */
const WATTS: Record<string, number> = { cuda: 150, vulkan: 120 };

function withEnergy(): ReturnType<typeof seedRoundRuns> {
  const runs = seedRoundRuns();
  for (const run of runs) {
    const backendOf = new Map(run.cases.map((c) => [`${c.agentId}/${c.caseId}`, c.benchCase.backend]));
    run.samples.forEach((s, i) => {
      // A few percent of round-to-round wobble, so the rounds have a spread to test on.
      const watts = WATTS[backendOf.get(`${s.agentId}/${s.caseId}`) ?? 'cuda']! * (1 + ((i % 3) - 1) * 0.02);
      const energy: SampleEnergy = {
        gpu: {
          idleWatts: 30,
          prompt: null,
          decode: {
            seconds: s.sample.decodeSeconds,
            joules: watts * s.sample.decodeSeconds,
            meanWatts: watts,
            peakWatts: watts * 1.1,
            readings: 10,
            tokensPerJoule: s.sample.decodeTokensPerSecond / watts,
            tokensPerJouleAboveIdle: null,
          },
        },
        cpu: null,
        promptTokensPerJoule: null,
        decodeTokensPerJoule: s.sample.decodeTokensPerSecond / watts,
      };
      s.sample = { ...s.sample, energy };
    });
  }
  return runs;
}

describe('answers on energy (tokens per joule), seed table with stand-in power figures', () => {
  test('tokens per joule is ranked like any rate: "more efficient per decoded token", with the rounds behind it', () => {
    const answers = buildAnswers(withEnergy()).filter((a) => a.metric === 'decodeTokensPerJoule');
    const qwen = answers.find(
      (a) => a.axis === 'backend' && a.context === 'qwen-14b' && a.scope === 'all prompts',
    );
    expect(qwen).toBeDefined();
    // Vulkan decodes 39% faster and draws 20% less: (1.388 × 150 / 120) ≈ 1.73× the tokens per joule.
    expect(qwen!.winner).toBe('vulkan');
    expect(qwen!.speedRatio).toBeGreaterThan(1.65);
    expect(qwen!.speedRatio).toBeLessThan(1.8);
    expect(qwen!.text).toMatch(/vulkan is \d+% more efficient per decoded token than cuda/);
    // One Vulkan round: no more certain than the speed verdict.
    expect(qwen!.verdict).toBe('cant-tell');
  });

  test('without a power source there is no energy line at all', () => {
    expect(buildAnswers(seedRoundRuns()).some((a) => a.metric === 'decodeTokensPerJoule')).toBe(false);
  });
});
